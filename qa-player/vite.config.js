// @ts-check
import { svelteAppConfig } from '../ui/vite-app-config.js';

export default svelteAppConfig({ appUrl: import.meta.url, name: 'qa-player', base: '/qa/', port: 5174 });
