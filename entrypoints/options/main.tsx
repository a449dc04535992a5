import { render } from 'preact';
import { Options } from '../../src/extension/options/Options';
import { loadSettings, saveSettings } from '../../src/extension/settings/store';

render(<Options load={loadSettings} save={saveSettings} />, document.getElementById('app')!);
