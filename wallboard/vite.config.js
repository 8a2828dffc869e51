// @ts-check
import { svelteAppConfig } from '../ui/vite-app-config.js';

export default svelteAppConfig({ appUrl: import.meta.url, name: 'wallboard', base: '/wallboard/', port: 5173 });
