import '$ui/theme.css';
import { i18n } from '$ui/i18n.svelte.ts';
import { mount } from 'svelte';
import App from './App.svelte';
import { en } from './locales/en.ts';
import { zhCN } from './locales/zh-CN.ts';
import { historyEn } from './history/locales/en.ts';
import { historyZh } from './history/locales/zh-CN.ts';

i18n.extend({ en, 'zh-CN': zhCN });
i18n.extend({ en: historyEn, 'zh-CN': historyZh });

mount(App, { target: document.getElementById('app')! });
