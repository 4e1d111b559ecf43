import { mount } from 'svelte';
import './ui/app.css';
import App from './ui/App.svelte';
import { app } from './state/app.svelte.ts';

void app.init(new URL('./', document.baseURI).href);
mount(App, { target: document.getElementById('app')! });
