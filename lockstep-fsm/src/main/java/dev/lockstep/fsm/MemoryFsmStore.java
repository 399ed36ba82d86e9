package dev.lockstep.fsm;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory store. Each entity is a holder whose monitor guards its snapshot, its attempt list
 * and its outbox; a commit is one short {@code synchronized} block comparing the version, so it is
 * atomic and exactly one of concurrent commits against one version wins. No serialization: data and
 * payloads are kept as the deep, unmodifiable copies {@link EntityState} and {@link EffectRequest}
 * made of the caller's maps (so a caller who changes its maps later changes nothing here). Pending
 * outbox entries are also indexed in one global map for the dispatcher, updated under the entity's
 * monitor then the index's.
 */
final class MemoryFsmStore implements FsmStore {

  private static final class Holder {
    EntityState state; // null until inserted (attempts on unknown ids are kept too)
    final ArrayDeque<Attempt> attempts = new ArrayDeque<>(4);
    List<OutboxEntry> outbox;
  }

  private final int historyLimit;
  private final ConcurrentHashMap<String, Holder> entities = new ConcurrentHashMap<>();
  private final TreeMap<Long, OutboxEntry> pending = new TreeMap<>();
  private long outboxSeq;
  private volatile boolean closed;

  /**
   * @param historyLimit the most attempts kept per entity; older ones are dropped
   */
  MemoryFsmStore(int historyLimit) {
    if (historyLimit < 1) {
      throw new IllegalArgumentException("historyLimit must be >= 1, got " + historyLimit);
    }
    this.historyLimit = historyLimit;
  }

  private void append(Holder h, Attempt a) {
    if (h.attempts.size() >= historyLimit) {
      h.attempts.removeFirst();
    }
    h.attempts.addLast(a);
  }

  @Override
  public String describe() {
    return "in-memory store@" + Integer.toHexString(System.identityHashCode(this));
  }

  private void open() {
    if (closed) {
      throw new FsmStoreException(describe() + " is closed");
    }
  }

  private Holder holder(String entityId) {
    Holder h = entities.get(entityId);
    return h != null ? h : entities.computeIfAbsent(entityId, k -> new Holder());
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when the data could not be stored as JSON that reads back (see
   *     {@link JsonValues#unstorable}): refused as a JSON store refuses it
   */
  @Override
  public boolean insert(EntityState entity) {
    open();
    String problem = JsonValues.unstorable(entity.data(), "data");
    if (problem != null) {
      throw new IllegalArgumentException(
          "cannot store entity '" + entity.entityId() + "': " + problem);
    }
    Holder h = holder(entity.entityId());
    synchronized (h) {
      if (h.state != null) {
        return false;
      }
      h.state = entity;
      return true;
    }
  }

  @Override
  public Optional<EntityState> read(String entityId) {
    open();
    Holder h = entities.get(entityId);
    if (h == null) {
      return Optional.empty();
    }
    synchronized (h) {
      return Optional.ofNullable(h.state);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when an effect's payload could not be stored as JSON that
   *     reads back (see {@link JsonValues#unstorable}): refused as a JSON store refuses it
   */
  @Override
  public CommitResult commit(TransitionCommit commit) {
    open();
    for (EffectRequest e : commit.effects()) {
      String problem = JsonValues.unstorable(e.payload(), "payload");
      if (problem != null) {
        throw new IllegalArgumentException(
            "cannot store effect '"
                + e.effect()
                + "' of entity '"
                + commit.entityId()
                + "': "
                + problem);
      }
    }
    Holder h = holder(commit.entityId());
    List<OutboxEntry> added = null;
    CommitResult result;
    synchronized (h) {
      EntityState s = h.state;
      if (s == null || s.version() != commit.expectedVersion()) {
        long actual = s == null ? -1 : s.version();
        append(h, commit.conflictAttempt(actual));
        return new CommitResult.Conflicted(actual);
      }
      long version = s.version() + 1;
      h.state = new EntityState(s.machine(), s.entityId(), commit.to(), version, s.data());
      Attempt a = commit.attempt();
      append(h, a);
      if (!commit.effects().isEmpty()) {
        added = new ArrayList<>(commit.effects().size());
        synchronized (pending) {
          for (EffectRequest e : commit.effects()) {
            added.add(
                new OutboxEntry(
                    ++outboxSeq,
                    s.machine(),
                    s.entityId(),
                    version,
                    e.effect(),
                    a.event(),
                    a.from(),
                    a.to(),
                    e.payload(),
                    0,
                    a.time(),
                    null,
                    null));
          }
          for (OutboxEntry e : added) {
            pending.put(e.id(), e);
          }
        }
        if (h.outbox == null) {
          h.outbox = new ArrayList<>();
        }
        h.outbox.addAll(added);
      }
      result = new CommitResult.Committed(version);
    }
    return result;
  }

  @Override
  public void log(Attempt attempt) {
    open();
    Holder h = holder(attempt.entityId());
    synchronized (h) {
      append(h, attempt);
    }
  }

  @Override
  public Optional<Attempt> attempt(String entityId, long attemptId) {
    open();
    Holder h = entities.get(entityId);
    if (h == null) {
      return Optional.empty();
    }
    synchronized (h) {
      var it = h.attempts.descendingIterator();
      while (it.hasNext()) {
        Attempt a = it.next();
        if (a.attemptId() == attemptId) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public List<Attempt> history(String entityId) {
    open();
    Holder h = entities.get(entityId);
    if (h == null) {
      return List.of();
    }
    synchronized (h) {
      return List.copyOf(h.attempts);
    }
  }

  @Override
  public List<EntityState> entities() {
    open();
    List<EntityState> all = new ArrayList<>();
    for (Holder h : entities.values()) {
      synchronized (h) {
        if (h.state != null) {
          all.add(h.state);
        }
      }
    }
    all.sort(Comparator.comparing(EntityState::entityId));
    return all;
  }

  @Override
  public List<OutboxEntry> pendingEffects(Instant now, int limit) {
    open();
    OutboxEntry.checkPendingArguments(now, limit);
    List<OutboxEntry> due = new ArrayList<>();
    synchronized (pending) {
      for (OutboxEntry e : pending.values()) {
        if (due.size() >= limit) {
          break;
        }
        if (!e.nextAttempt().isAfter(now)) {
          due.add(e);
        }
      }
    }
    return due;
  }

  @Override
  public List<OutboxEntry> pendingEffects(
      Instant now, int limit, Map<String, ? extends Set<String>> effects) {
    open();
    OutboxEntry.checkPendingArguments(now, limit);
    Objects.requireNonNull(effects, "effects");
    List<OutboxEntry> due = new ArrayList<>();
    synchronized (pending) {
      for (OutboxEntry e : pending.values()) {
        if (due.size() >= limit) {
          break;
        }
        Set<String> wanted = effects.get(e.machine());
        if (wanted != null && wanted.contains(e.effect()) && !e.nextAttempt().isAfter(now)) {
          due.add(e);
        }
      }
    }
    return due;
  }

  @Override
  public List<OutboxEntry> outbox(String entityId) {
    open();
    Holder h = entities.get(entityId);
    if (h == null) {
      return List.of();
    }
    synchronized (h) {
      return h.outbox == null ? List.of() : List.copyOf(h.outbox);
    }
  }

  @Override
  public void markDispatched(long outboxId, Instant at) {
    update(outboxId, null, at, null);
  }

  @Override
  public void recordDispatchFailure(long outboxId, Instant nextAttempt, Attempt failure) {
    update(outboxId, nextAttempt, null, failure);
  }

  private void update(long outboxId, Instant next, Instant dispatchedAt, Attempt failure) {
    open();
    OutboxEntry e;
    synchronized (pending) {
      e = pending.get(outboxId);
    }
    if (e == null) {
      return; // already dispatched
    }
    Holder h = holder(e.entityId());
    synchronized (h) {
      int index = -1;
      for (int i = 0; i < h.outbox.size(); i++) {
        if (h.outbox.get(i).id() == outboxId) {
          index = i;
        }
      }
      OutboxEntry cur = h.outbox.get(index);
      if (cur.dispatched()) {
        return;
      }
      OutboxEntry next2 =
          failure == null
              ? new OutboxEntry(
                  cur.id(),
                  cur.machine(),
                  cur.entityId(),
                  cur.version(),
                  cur.effect(),
                  cur.event(),
                  cur.from(),
                  cur.to(),
                  cur.payload(),
                  cur.dispatchAttempts(),
                  cur.nextAttempt(),
                  dispatchedAt,
                  cur.lastError())
              : new OutboxEntry(
                  cur.id(),
                  cur.machine(),
                  cur.entityId(),
                  cur.version(),
                  cur.effect(),
                  cur.event(),
                  cur.from(),
                  cur.to(),
                  cur.payload(),
                  cur.dispatchAttempts() + 1,
                  next,
                  null,
                  failure.error());
      h.outbox.set(index, next2);
      if (failure != null) {
        append(h, failure);
      }
      synchronized (pending) {
        if (next2.dispatched()) {
          pending.remove(outboxId);
        } else {
          pending.put(outboxId, next2);
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
