import '$ui/theme.css';
import { i18n } from '$ui/i18n.svelte.ts';
import { mount } from 'svelte';
import App from './App.svelte';
import { en } from './locales/en.ts';
import { zhCN } from './locales/zh-CN.ts';
import { prefetchFromHash } from './lib/prefetch.ts';

// opened on a call: its view and waveform peaks load while the session is checked
prefetchFromHash(location.hash);

i18n.extend({ en, 'zh-CN': zhCN });

mount(App, { target: document.getElementById('app')! });
