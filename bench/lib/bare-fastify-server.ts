// The ceiling for HTTP scenarios: Fastify answering a tiny JSON body and doing no work.

import formBody from '@fastify/formbody';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
await app.register(formBody);
app.get('/bare', async () => ({ ok: true }));
app.post('/bare', async () => ({ ok: true }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ url }));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
