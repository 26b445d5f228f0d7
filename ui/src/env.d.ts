// esbuild bundles imported CSS into its own file (dist/ui/assets/main-<hash>.css).
declare module '*.css';
