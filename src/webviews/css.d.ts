// Webview bundles import their stylesheet; esbuild emits it next to the script.
declare module '*.css';
