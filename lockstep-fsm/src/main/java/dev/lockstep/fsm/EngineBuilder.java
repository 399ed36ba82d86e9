package dev.lockstep.fsm;

import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.LockOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Collects an engine's settings and validates them once, naming the setting that is wrong. */
final class EngineBuilder implements FsmEngine.Builder {
  final FsmStore store;
  final Map<String, MachineDefinition> machines = new LinkedHashMap<>();
  final Map<String, Action> effectHandlers = new LinkedHashMap<>();
  KeyedLock<String> entityLock;
  Duration entityLockTimeout = Duration.ofSeconds(30);
  Duration guardTimeout = Duration.ofSeconds(5);
  Duration backoffInitial = Duration.ofMillis(100);
  Duration backoffMax = Duration.ofMinutes(1);
  boolean dispatchEffects = true;

  EngineBuilder(FsmStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public FsmEngine.Builder machine(MachineDefinition definition) {
    Objects.requireNonNull(definition, "definition");
    if (machines.putIfAbsent(definition.name(), definition) != null) {
      throw new IllegalArgumentException(
          "machine '" + definition.name() + "' is registered twice with this engine");
    }
    return this;
  }

  @Override
  public FsmEngine.Builder entityLock(boolean enabled) {
    this.entityLock = enabled ? KeyedLock.create(LockOptions.named("fsm-entities")) : null;
    return this;
  }

  @Override
  public FsmEngine.Builder entityLock(KeyedLock<String> lock) {
    this.entityLock = Objects.requireNonNull(lock, "lock");
    return this;
  }

  @Override
  public FsmEngine.Builder entityLockTimeout(Duration timeout) {
    this.entityLockTimeout = positive("entityLockTimeout", timeout);
    return this;
  }

  @Override
  public FsmEngine.Builder guardTimeout(Duration timeout) {
    this.guardTimeout = positive("guardTimeout", timeout);
    return this;
  }

  @Override
  public FsmEngine.Builder effectHandler(String effect, Action handler) {
    effectHandlers.put(Objects.requireNonNull(effect, "effect"), Objects.requireNonNull(handler));
    return this;
  }

  @Override
  public FsmEngine.Builder effectBackoff(Duration initial, Duration max) {
    positive("effectBackoff initial", initial);
    positive("effectBackoff max", max);
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "effectBackoff max " + max + " is smaller than initial " + initial);
    }
    this.backoffInitial = initial;
    this.backoffMax = max;
    return this;
  }

  @Override
  public FsmEngine.Builder dispatchEffects(boolean enabled) {
    this.dispatchEffects = enabled;
    return this;
  }

  @Override
  public FsmEngine build() {
    if (machines.isEmpty()) {
      throw new IllegalArgumentException("no machine registered: call machine(definition)");
    }
    for (String effect : effectHandlers.keySet()) {
      boolean declared =
          machines.values().stream()
              .anyMatch(m -> m.actions().containsKey(effect) && m.actions().get(effect).effect());
      if (!declared) {
        throw new IllegalArgumentException(
            "effectHandler '" + effect + "': no registered machine declares it as an effect");
      }
    }
    return new DefaultFsmEngine(this);
  }

  private static Duration positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }
}
