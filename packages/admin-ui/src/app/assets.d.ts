// The stylesheet is imported for its side effect: esbuild emits it as app.css next to the script.
declare module '*.css';
