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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The engine: one attempt is read → allowed? → guard → in-transition actions → {@link
 * FsmStore#commit}; every other outcome is written with {@link FsmStore#log}.
 *
 * <p>Implementation notes. Attempt ids are random 63-bit numbers chosen before the commit, so that
 * when a commit throws (the answer may have been lost after COMMIT) the engine can ask the store
 * whether its attempt row exists: if it does, the transition happened and the caller hears the
 * truth; if not, nothing committed and a FAILED row is logged under the same id. Only when even
 * that lookup fails is the result a {@code Failed} with nothing logged — then the store is down.
 * The hot path (no guard, no actions, no entity lock) allocates the attempt, the commit request and
 * the result, and nothing else.
 */
final class DefaultFsmEngine implements FsmEngine {
  private final FsmStore store;
  private final Map<String, CompiledMachine> machines;
  private final KeyedLock<String> entityLock;
  private final Duration entityLockTimeout;
  private final long guardTimeoutNanos;
  private final ExecutorService async = Executors.newVirtualThreadPerTaskExecutor();
  private final EffectDispatcher dispatcher;

  DefaultFsmEngine(EngineBuilder b) {
    this.store = b.store;
    Map<String, CompiledMachine> compiled = new HashMap<>();
    b.machines.forEach((n, d) -> compiled.put(n, new CompiledMachine(d, b.effectHandlers)));
    this.machines = Map.copyOf(compiled);
    this.entityLock = b.entityLock ? KeyedLock.create() : null;
    this.entityLockTimeout = b.entityLockTimeout;
    this.guardTimeoutNanos = b.guardTimeout.toNanos();
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

  private FireResult attempt(
      CompiledMachine m, String entityId, String event, Map<String, Object> payload) {
    long id = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    Instant now = Instant.now();
    EntityState s;
    try {
      s = store.read(entityId).orElse(null);
    } catch (RuntimeException e) {
      return failed(
          new Attempt(
              id,
              now,
              m.name,
              entityId,
              event,
              null,
              null,
              null,
              GuardResult.NONE,
              Outcome.FAILED,
              describe(e),
              -1),
          e);
    }
    if (s == null || !s.machine().equals(m.name)) {
      NoSuchEntityException e =
          new NoSuchEntityException(
              s == null
                  ? "no entity '" + entityId + "' in " + store.describe()
                  : "entity '"
                      + entityId
                      + "' belongs to machine '"
                      + s.machine()
                      + "', not '"
                      + m.name
                      + "'");
      return failed(
          new Attempt(
              id,
              now,
              m.name,
              entityId,
              event,
              s == null ? null : s.state(),
              null,
              null,
              GuardResult.NONE,
              Outcome.FAILED,
              e.getMessage(),
              -1),
          e);
    }
    String from = s.state();
    long version = s.version();
    CompiledMachine.Step step = m.step(from, event);
    if (step == null) {
      FireResult r = new FireResult.NotAllowed(from, event);
      return logged(
          new Attempt(
              id,
              now,
              m.name,
              entityId,
              event,
              from,
              null,
              null,
              GuardResult.NONE,
              Outcome.NOT_ALLOWED,
              null,
              version),
          r);
    }
    String to = step.transition().to();
    String guardName = null;
    GuardResult guardResult = GuardResult.NONE;
    if (step.guard() != null) {
      guardName = step.guard().name();
      GuardOutcome g = runGuard(step.guard(), new GuardContext(from, event, s.data(), payload));
      guardResult = g.result;
      if (g.result == GuardResult.REJECTED) {
        String reason = "guard '" + guardName + "' returned false in state " + from;
        return logged(
            new Attempt(
                id,
                now,
                m.name,
                entityId,
                event,
                from,
                to,
                guardName,
                guardResult,
                Outcome.GUARD_REJECTED,
                reason,
                version),
            new FireResult.GuardRejected(guardName, reason));
      }
      if (g.error != null) {
        return failed(
            new Attempt(
                id,
                now,
                m.name,
                entityId,
                event,
                from,
                to,
                guardName,
                guardResult,
                Outcome.FAILED,
                describe(g.error),
                version),
            g.error);
      }
    }
    if (!step.actions().isEmpty()) {
      ActionContext ctx =
          new ActionContext(entityId, from, event, to, version + 1, s.data(), payload);
      for (CompiledMachine.NamedAction a : step.actions()) {
        try {
          a.body().execute(ctx);
        } catch (RuntimeException e) {
          String msg = "action '" + a.name() + "' threw: " + describe(e);
          return failed(
              new Attempt(
                  id,
                  now,
                  m.name,
                  entityId,
                  event,
                  from,
                  to,
                  guardName,
                  guardResult,
                  Outcome.FAILED,
                  msg,
                  version),
              e);
        }
      }
    }
    List<EffectRequest> effects = effects(step, payload);
    Attempt a =
        new Attempt(
            id,
            now,
            m.name,
            entityId,
            event,
            from,
            to,
            guardName,
            guardResult,
            Outcome.TRANSITIONED,
            null,
            version + 1);
    CommitResult result;
    try {
      result = store.commit(new TransitionCommit(version, to, a, effects));
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

  /** The commit threw: find out whether it committed before answering. */
  private FireResult afterLostCommit(Attempt a, long version, RuntimeException e) {
    Optional<Attempt> found;
    try {
      found =
          store
              .attempt(a.entityId(), a.attemptId())
              .filter(f -> f.time().equals(a.time()) && f.event().equals(a.event()));
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
    return failed(
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
            version),
        e);
  }

  private static List<EffectRequest> effects(CompiledMachine.Step step, Map<String, Object> p) {
    List<String> names = step.effects();
    if (names.isEmpty()) {
      return List.of();
    }
    return names.stream().map(n -> new EffectRequest(n, p)).toList();
  }

  private record GuardOutcome(GuardResult result, Throwable error) {}

  private GuardOutcome runGuard(Guard guard, GuardContext ctx) {
    CompletionStage<Boolean> stage = guard.test(ctx);
    CompletableFuture<Boolean> f = stage.toCompletableFuture();
    try {
      Boolean ok = f.isDone() ? f.join() : f.get(guardTimeoutNanos, TimeUnit.NANOSECONDS);
      if (ok == null) {
        return new GuardOutcome(
            GuardResult.ERROR,
            new IllegalStateException("guard '" + guard.name() + "' answered null"));
      }
      return new GuardOutcome(ok ? GuardResult.PASSED : GuardResult.REJECTED, null);
    } catch (TimeoutException e) {
      f.cancel(true);
      return new GuardOutcome(
          GuardResult.TIMED_OUT,
          new TimeoutException(
              "guard '"
                  + guard.name()
                  + "' gave no answer within "
                  + Duration.ofNanos(guardTimeoutNanos)));
    } catch (ExecutionException | java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return new GuardOutcome(GuardResult.ERROR, cause);
    } catch (java.util.concurrent.CancellationException e) {
      return new GuardOutcome(GuardResult.ERROR, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new GuardOutcome(GuardResult.ERROR, e);
    }
  }

  private FireResult failEarly(CompiledMachine m, String entityId, String event, Exception e) {
    long id = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    return failed(
        new Attempt(
            id,
            Instant.now(),
            m.name,
            entityId,
            event,
            null,
            null,
            null,
            GuardResult.NONE,
            Outcome.FAILED,
            describe(e),
            -1),
        e);
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
