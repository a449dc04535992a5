/**
 * Ties one ask page to the model: watches the page through its adapter, asks for suggestions
 * (debounced, one request in flight, stale answers dropped), decides what the row shows, and adds
 * a clicked tag through the page's own tag editor. No extension APIs here: `send` and `render` are
 * passed in, so the controller is unit-tested with a fake page and a fake model.
 */
import type { AskPageAdapter } from '../page/types';
import type { Reply, SuggestRequest, SuggestResponse } from '../protocol';
import { createLatestOnly, type LatestOnly } from './latest-only';
import { barStateFor, hasEnoughText, type BarState } from './suggestions';
import type { Settings } from '../settings/settings';

export interface ControllerDeps {
  adapter: AskPageAdapter;
  send(request: SuggestRequest, seq: number): Promise<Reply<SuggestResponse>>;
  /** Draws the row; `null` removes it (disabled or hidden). */
  render(state: BarState | null, notice?: string): void;
  settings: Settings;
  /** Quiet time after the last keystroke before asking the model (ms). */
  debounceMs?: number;
  /**
   * Resolves when the whole model is loaded (the background's `warmup`). Given, requests accept a
   * provisional answer while the encoder loads (SuggestRequest.provisional), and the controller
   * asks again once this resolves, so the row shows the full model's tags without a keystroke.
   */
  whenReady?(): Promise<unknown>;
}

export class SuggestionController {
  private settings: Settings;
  private readonly client: LatestOnly<SuggestRequest>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dispose: (() => void) | undefined;
  private lastKey = '';
  private last: SuggestResponse | undefined;
  private state: BarState = { kind: 'idle' };
  private notice: string | undefined;
  private answered = false;
  private awaitingModel = false;
  /** Provisional answers shown so far (see waitForModel). */
  private provisionalAnswers = 0;

  constructor(private readonly deps: ControllerDeps) {
    this.settings = deps.settings;
    this.client = createLatestOnly<SuggestRequest, SuggestResponse>(
      (req, seq) => deps.send(req, seq),
      (res) => {
        this.answered = true;
        this.last = res;
        this.show(this.barState(res));
        if (res.provisional) this.refreshWhenReady();
      },
      (message) => this.show({ kind: 'error', message }),
    );
  }

  get current(): BarState {
    return this.state;
  }

  start(): void {
    this.dispose = this.deps.adapter.observe(() => this.schedule());
    this.refresh();
  }

  stop(): void {
    this.dispose?.();
    this.dispose = undefined;
    clearTimeout(this.timer);
    this.deps.render(null);
  }

  updateSettings(settings: Settings): void {
    this.settings = settings;
    this.lastKey = ''; // count/threshold may change what to ask and show
    this.refresh();
  }

  /** Re-reads the page soon (debounced). */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), this.deps.debounceMs ?? 250);
  }

  /** Reads the page now and asks the model when the text or tags changed. */
  refresh(): void {
    if (!this.settings.enabled || !this.settings.showPanel) {
      this.deps.render(null);
      return;
    }
    const { title, body, bodyFormat } = this.deps.adapter.read();
    const tags = this.deps.adapter.currentTags();
    if (!hasEnoughText(title, body)) {
      this.lastKey = '';
      this.show({ kind: 'idle' });
      return;
    }
    const key = JSON.stringify([title, body, bodyFormat, tags, this.settings.count]);
    if (key === this.lastKey) {
      this.show(this.state); // re-render (the anchor may have been re-mounted)
      return;
    }
    this.lastKey = key;
    if (!this.answered) this.show({ kind: 'loading' });
    this.client.request({ title, body, bodyFormat, k: this.settings.count, exclude: tags, ...(this.deps.whenReady ? { provisional: true } : {}) });
  }

  /** After a provisional answer: ask again (the same text) once the whole model is loaded. */
  private refreshWhenReady(): void {
    this.provisionalAnswers++;
    if (!this.awaitingModel) this.waitForModel();
  }

  /**
   * One wait for the model at a time. When it settles, a provisional answer that came after it
   * began (from a later load: the earlier one failed meanwhile) gets a wait of its own instead of
   * that outcome; an error is shown only over a provisional row (not over an idle one, or the
   * full model's answer).
   */
  private waitForModel(): void {
    this.awaitingModel = true;
    const seen = this.provisionalAnswers;
    this.deps.whenReady!().then(
      () => {
        this.awaitingModel = false;
        if (!this.dispose) return; // stopped meanwhile
        this.lastKey = ''; // the same text, now for the full model
        this.refresh();
      },
      (err: unknown) => {
        this.awaitingModel = false;
        if (!this.dispose) return;
        if (this.provisionalAnswers !== seen) return this.waitForModel(); // answered by a later load: wait for that one
        // the encoder failed to load: say so (asking again would start another load at once)
        const st = this.state;
        if ((st.kind === 'chips' || st.kind === 'abstain') && st.provisional) this.show({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
      },
    );
  }

  private barState(res: SuggestResponse): BarState {
    return barStateFor(res.tags, res.tookMs, this.deps.adapter.currentTags(), this.settings, this.deps.adapter.maxTags, res.provisional === true);
  }

  /** Adds a suggested tag through the page's editor; the row updates from the page's new tags. */
  async add(name: string): Promise<boolean> {
    const result = await this.deps.adapter.addTag(name);
    this.notice = result.accepted ? undefined : `Could not add “${name}”: ${result.reason ?? 'the page refused it'}`;
    if (this.last && this.state.kind !== 'error') {
      // Hide the added chip at once, before the debounced re-query.
      this.show(this.barState(this.last));
    } else {
      this.show(this.state); // shows the notice
    }
    this.schedule();
    return result.accepted;
  }

  private show(state: BarState): void {
    this.state = state;
    this.deps.render(state, this.notice);
  }
}
