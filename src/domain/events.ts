import type { ImportedEvent } from '../import/import-listeners.js';
import type { Queryable } from '../sql/queryable.js';
import type { CompositionChange } from './segments/compositions.js';
import type { Segment } from './segments/segment.schema.js';

/**
 * Domain events: what happened, told to whoever subscribed in the composition root
 * (src/app/services.ts). Modules emit them without knowing their listeners; a new module plugs
 * in by subscribing there, never by a registry of its own.
 */
export interface DomainEvents {
  /** A segment is about to be saved changed; a listener refuses the change by throwing (sales terms do). */
  readonly 'segment.changing': { readonly before: Segment; readonly after: Segment };
  /** A segment was created (previous null) or changed. */
  readonly 'segment.saved': { readonly segment: Segment; readonly previous: Segment | null };
  /** Segments were deleted. */
  readonly 'segment.deleted': { readonly ids: readonly string[] };
  /** Who entered and who left a stored segment, inside the transaction that wrote it. */
  readonly 'composition.changed': { readonly tx: Queryable; readonly change: CompositionChange };
  /** An import wrote rows (their ids), inside its transaction before it commits. */
  readonly 'facts.imported': { readonly tx: Queryable; readonly imported: ImportedEvent };
}

export type EventListener<E> = (event: E) => Promise<void> | void;

/**
 * A small typed event bus: listeners run one after the other, awaited, in the order they
 * subscribed; one that throws stops the emit and the error reaches the emitter (so a guard can
 * refuse, and a listener inside a transaction rolls it back).
 */
export class EventBus<Events extends object = DomainEvents> {
  private readonly listeners = new Map<keyof Events, EventListener<never>[]>();

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof Events>(name: K, listener: EventListener<Events[K]>): () => void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener);
    this.listeners.set(name, list);
    return () => {
      const at = list.indexOf(listener);
      if (at >= 0) list.splice(at, 1);
    };
  }

  /** Whether anyone listens: emitters skip work (reading ids) nobody would hear. */
  has(name: keyof Events): boolean {
    return (this.listeners.get(name)?.length ?? 0) > 0;
  }

  async emit<K extends keyof Events>(name: K, event: Events[K]): Promise<void> {
    for (const listener of [...(this.listeners.get(name) ?? [])]) await (listener as EventListener<Events[K]>)(event);
  }
}
