// The admin page's entry: mounts the app into the shell the gateway serves.

import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';

const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<App queuesPath={root.dataset.queuesPath ?? '/queues'} />, root);
}
