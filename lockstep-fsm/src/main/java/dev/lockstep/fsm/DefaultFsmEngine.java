package dev.lockstep.fsm;

import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.LockException;
import dev.lockstep.lock.LockHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine: one attempt is read → allowed? → guard → in-transition actions → {@link
 * FsmStore#commit}; every other outcome is written with {@link FsmStore#log}.
 *
 * <p>Implementation notes. Attempt ids are time-ordered 63-bit numbers with a counter in the low
 * bits ({@link #newAttemptId}) chosen before the commit, so that when a commit throws (the answer
 * may have been lost after COMMIT) the engine can ask the store whether its attempt row exists: if
 * it does, the transition happened and the caller hears the truth; if not, nothing committed and a
 * FAILED row is logged under the same id. Only when even that lookup fails is the result a {@code
 * Failed} with nothing logged — then the store is down. The hot path (no guard, no actions, no
 * entity lock) allocates the attempt, the commit request and the result, and nothing else. On a
 * store that implements {@link InWriteFires} (SQLite), a fire of an event with no guard and no
 * in-transition action skips the pre-read: the store decides it inside its write transaction.
 */
final class DefaultFsmEngine implements FsmEngine {
  private final FsmStore store;
  private final Map<String, CompiledMachine> machines;
  private final KeyedLock<String> entityLock;
  private final Duration entityLockTimeout;
  private final GuardRunner guards;
  private final ExecutorService async = Executors.newVirtualThreadPerTaskExecutor();
  private final EffectDispatcher dispatcher;

  DefaultFsmEngine(EngineBuilder b) {
    this.store = b.store;
    Map<String, CompiledMachine> compiled = new HashMap<>();
    b.machines.forEach((n, d) -> compiled.put(n, new CompiledMachine(d, b.effectHandlers)));
    this.machines = Map.copyOf(compiled);
    this.entityLock = b.entityLock;
    this.entityLockTimeout = b.entityLockTimeout;
    this.guards = new GuardRunner(b.guardTimeout);
    this.dispatcher =
        new EffectDispatcher(store, machines, b.backoffInitial, b.backoffMax, b.dispatchEffects);
  }

  @Override
  public EntityState create(String machine, String entityId) {
    return create(machine, entityId, Map.of());
  }

  @Override
  public EntityState create(String machine, String entityId, Map<String, Object> data) {
    CompiledMachine m = machine(machine);
    Objects.requireNonNull(entityId, "entityId");
    EntityState entity = new EntityState(m.name, entityId, m.definition.initial(), 0, data);
    String problem = JsonValues.unstorable(entity.data(), "data");
    if (problem != null) { // refused before any store, so that every store refuses it alike
      throw new IllegalArgumentException(
          "cannot create entity '" + entityId + "' of machine '" + m.name + "': " + problem);
    }
    if (!store.insert(entity)) {
      String has = store.read(entityId).map(e -> " (machine " + e.machine() + ")").orElse("");
      throw new DuplicateEntityException(
          "entity '" + entityId + "' already exists in " + store.describe() + has);
    }
    return entity;
  }

  @Override
  public FireResult fire(String machine, String entityId, String event, Map<String, Object> p) {
    return fire(machine, entityId, event, p, Retry.none());
  }

  @Override
  public FireResult fire(
      String machine, String entityId, String event, Map<String, Object> payload, Retry retry) {
    CompiledMachine m = machine(machine);
    Objects.requireNonNull(entityId, "entityId");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(retry, "retry");
    Map<String, Object> frozen = JsonValues.freeze(payload);
    LockHandle held = null;
    if (entityLock != null) {
      try {
        held = entityLock.acquire(entityId, entityLockTimeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return failEarly(m, entityId, event, e);
      } catch (LockException e) {
        return failEarly(m, entityId, event, e);
      }
    }
    try {
      for (int i = 0; ; i++) {
        FireResult r = attempt(m, entityId, event, frozen);
        if (!(r instanceof FireResult.Conflict) || i >= retry.retries()) {
          return r;
        }
      }
    } finally {
      if (held != null) {
        held.close();
      }
    }
  }

  /** The fields every attempt row of one try shares. */
  private record Draft(long id, Instant time, String machine, String entityId, String event) {
    Attempt row(
        String from, String to, String guard, GuardResult g, Outcome o, String error, long v) {
      return new Attempt(id, time, machine, entityId, event, from, to, guard, g, o, error, v);
    }
  }

  private static final long ID_EPOCH_MILLIS = 1_577_836_800_000L; // 2020-01-01T00:00:00Z

  /** The low 22 bits of this JVM's attempt ids start at a random point and count up. */
  private static final AtomicLong ID_COUNTER =
      new AtomicLong(ThreadLocalRandom.current().nextInt(1 << 22));

  /**
   * A new attempt id: milliseconds since 2020 in the high 41 bits, and below them 22 bits of a
   * counter that every id of this JVM advances (starting at a random value). Ids grow with time, so
   * the SQLite store's index on them is appended to rather than written at random pages (that cost
   * its writer about 22 us per transition). Two ids of one JVM never collide (that would take 2^22
   * ids in one millisecond); two processes sharing a store collide only when both make ids in the
   * same millisecond whose counters meet, and a lookup is by (entity, id) and checks the row's time
   * and event too.
   */
  static long newAttemptId(Instant time) {
    long millis = time.toEpochMilli() - ID_EPOCH_MILLIS;
    long low = ID_COUNTER.getAndIncrement() & ((1L << 22) - 1);
    return ((millis << 22) | low) & Long.MAX_VALUE;
  }

  /** One try: read, decide, guard, actions, commit. */
  private FireResult attempt(
      CompiledMachine m, String entityId, String event, Map<String, Object> payload) {
    Instant now = Instant.now();
    Draft d = new Draft(newAttemptId(now), now, m.name, entityId, event);
    if (store instanceof InWriteFires s
        && m.plain(event)
        && JsonValues.unstorable(payload, "payload") == null) {
      return inWrite(s, m, d, payload);
    }
    EntityState s;
    try {
      s = store.read(entityId).orElse(null);
    } catch (RuntimeException e) {
      return failed(d.row(null, null, null, GuardResult.NONE, Outcome.FAILED, describe(e), -1), e);
    }
    if (s == null || !s.machine().equals(m.name)) {
      NoSuchEntityException e = noSuchEntity(m, entityId, s);
      String state = s == null ? null : s.state();
      return failed(
          d.row(state, null, null, GuardResult.NONE, Outcome.FAILED, e.getMessage(), -1), e);
    }
    String from = s.state();
    long version = s.version();
    CompiledMachine.Step step = m.step(from, event);
    if (step == null) {
      return logged(
          d.row(from, null, null, GuardResult.NONE, Outcome.NOT_ALLOWED, null, version),
          new FireResult.NotAllowed(from, event));
    }
    String to = step.transition().to();
    if (!step.effects().isEmpty()) {
      String problem = JsonValues.unstorable(payload, "payload");
      if (problem != null) { // the outbox could not hold it: fail before guard and actions run
        IllegalArgumentException e =
            new IllegalArgumentException(
                "entity '"
                    + entityId
                    + "', event '"
                    + event
                    + "': the payload cannot be written to the outbox for effects "
                    + step.effects()
                    + ": "
                    + problem);
        return failed(
            d.row(from, to, null, GuardResult.NONE, Outcome.FAILED, e.getMessage(), version), e);
      }
    }
    String guard = null;
    GuardResult verdict = GuardResult.NONE;
    if (step.guard() != null) {
      guard = step.guard().name();
      GuardRunner.Verdict g =
          guards.test(step.guard(), new GuardContext(from, event, s.data(), payload));
      verdict = g.result();
      if (verdict == GuardResult.REJECTED) {
        String reason = "guard '" + guard + "' returned false in state " + from;
        return logged(
            d.row(from, to, guard, verdict, Outcome.GUARD_REJECTED, reason, version),
            new FireResult.GuardRejected(guard, reason));
      }
      if (g.error() != null) {
        return failed(
            d.row(from, to, guard, verdict, Outcome.FAILED, describe(g.error()), version),
            g.error());
      }
    }
    if (!step.actions().isEmpty()) {
      ActionContext ctx =
          new ActionContext(entityId, from, event, to, version + 1, s.data(), payload);
      for (CompiledMachine.NamedAction a : step.actions()) {
        try {
          a.body().execute(ctx);
        } catch (RuntimeException | Error e) { // as guards (Guard#test): an Error fails the attempt
          String msg = "action '" + a.name() + "' threw: " + describe(e);
          return failed(d.row(from, to, guard, verdict, Outcome.FAILED, msg, version), e);
        }
      }
    }
    List<EffectRequest> effects = effects(step, payload);
    Attempt a = d.row(from, to, guard, verdict, Outcome.TRANSITIONED, null, version + 1);
    CommitResult result;
    try {
      TransitionCommit commit = new TransitionCommit(version, to, a, effects);
      result = store.commit(commit);
    } catch (RuntimeException e) {
      return afterLostCommit(a, version, e);
    }
    return switch (result) {
      case CommitResult.Committed c -> {
        if (!effects.isEmpty()) {
          dispatcher.wake();
        }
        yield new FireResult.Transitioned(from, to, c.version());
      }
      case CommitResult.Conflicted c -> new FireResult.Conflict(version, c.actualVersion());
    };
  }

  private NoSuchEntityException noSuchEntity(CompiledMachine m, String entityId, EntityState s) {
    return new NoSuchEntityException(
        noSuchEntityMessage(store.describe(), m.name, entityId, s == null ? null : s.machine()));
  }

  /** Why a fire of {@code machine} found no entity of its own ({@code found}: the entity's). */
  static String noSuchEntityMessage(String store, String machine, String entityId, String found) {
    return found == null
        ? "no entity '" + entityId + "' in " + store
        : "entity '" + entityId + "' belongs to machine '" + found + "', not '" + machine + "'";
  }

  /**
   * A fire of a plain event ({@link CompiledMachine#plain}) decided by the store inside its write
   * transaction: no pre-read, never a conflict. If the store throws, the answer may have been lost
   * after COMMIT: the attempt row, if there is one, tells what happened; if there is none, nothing
   * committed and a FAILED row is logged under the same id.
   */
  private FireResult inWrite(
      InWriteFires s, CompiledMachine m, Draft d, Map<String, Object> payload) {
    Attempt draft = d.row(null, null, null, GuardResult.NONE, Outcome.FAILED, null, -1);
    Attempt a;
    try {
      a = s.fireInWrite(m, draft, payload);
    } catch (RuntimeException e) {
      Optional<Attempt> found;
      try {
        found = store.attempt(draft);
      } catch (RuntimeException lookup) {
        e.addSuppressed(lookup);
        return new FireResult.Failed(e); // outcome unknown and unloggable: the store is down
      }
      if (found.isEmpty()) {
        return failed(
            d.row(
                null,
                null,
                null,
                GuardResult.NONE,
                Outcome.FAILED,
                "fire failed: " + describe(e),
                -1),
            e);
      }
      a = found.get();
    }
    return switch (a.outcome()) {
      case TRANSITIONED -> {
        if (!m.step(a.from(), a.event()).effects().isEmpty()) {
          dispatcher.wake();
        }
        yield new FireResult.Transitioned(a.from(), a.to(), a.version());
      }
      case NOT_ALLOWED -> new FireResult.NotAllowed(a.from(), a.event());
      default -> new FireResult.Failed(new NoSuchEntityException(a.error()));
    };
  }

  /** The commit threw: find out whether it committed before answering. */
  private FireResult afterLostCommit(Attempt a, long version, RuntimeException e) {
    Optional<Attempt> found;
    try {
      found = store.attempt(a);
    } catch (RuntimeException lookup) {
      e.addSuppressed(lookup);
      return new FireResult.Failed(e); // outcome unknown and unloggable: the store is down
    }
    if (found.isPresent()) {
      Attempt f = found.get();
      if (f.outcome() == Outcome.TRANSITIONED) {
        dispatcher.wake();
        return new FireResult.Transitioned(f.from(), f.to(), f.version());
      }
      long actual = current(a.entityId()).map(EntityState::version).orElse(-1L);
      return new FireResult.Conflict(version, actual);
    }
    Attempt failure =
        new Attempt(
            a.attemptId(),
            a.time(),
            a.machine(),
            a.entityId(),
            a.event(),
            a.from(),
            a.to(),
            a.guard(),
            a.guardResult(),
            Outcome.FAILED,
            "commit failed: " + describe(e),
            version);
    return failed(failure, e);
  }

  private static List<EffectRequest> effects(CompiledMachine.Step step, Map<String, Object> p) {
    List<String> names = step.effects();
    if (names.isEmpty()) {
      return List.of();
    }
    return names.stream().map(n -> new EffectRequest(n, p)).toList();
  }

  private FireResult failEarly(CompiledMachine m, String entityId, String event, Exception e) {
    Instant now = Instant.now();
    Draft d = new Draft(newAttemptId(now), now, m.name, entityId, event);
    return failed(d.row(null, null, null, GuardResult.NONE, Outcome.FAILED, describe(e), -1), e);
  }

  private FireResult failed(Attempt a, Throwable error) {
    return logged(a, new FireResult.Failed(error));
  }

  private FireResult logged(Attempt a, FireResult r) {
    try {
      store.log(a);
    } catch (RuntimeException e) {
      if (r instanceof FireResult.Failed f) {
        f.error().addSuppressed(e);
        return r;
      }
      return new FireResult.Failed(e);
    }
    return r;
  }

  static String describe(Throwable e) {
    String msg = e.getMessage();
    return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }

  private CompiledMachine machine(String name) {
    CompiledMachine m = machines.get(Objects.requireNonNull(name, "machine"));
    if (m == null) {
      throw new IllegalArgumentException(
          "machine '" + name + "' is not registered with this engine; it has " + machines.keySet());
    }
    return m;
  }

  @Override
  public CompletableFuture<FireResult> fireAsync(
      String machine, String entityId, String event, Map<String, Object> payload) {
    return fireAsync(machine, entityId, event, payload, Retry.none());
  }

  @Override
  public CompletableFuture<FireResult> fireAsync(
      String machine, String entityId, String event, Map<String, Object> payload, Retry retry) {
    machine(machine);
    return CompletableFuture.supplyAsync(
        () -> fire(machine, entityId, event, payload, retry), async);
  }

  @Override
  public Optional<EntityState> current(String entityId) {
    return store.read(entityId);
  }

  @Override
  public List<Attempt> history(String entityId) {
    return store.history(entityId);
  }

  @Override
  public int dispatchEffects() {
    return dispatcher.dispatchDue();
  }

  @Override
  public FsmStore store() {
    return store;
  }

  @Override
  public void close() {
    dispatcher.close();
    async.close();
  }
}
