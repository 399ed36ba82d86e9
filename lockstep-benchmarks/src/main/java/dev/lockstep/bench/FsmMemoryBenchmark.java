package dev.lockstep.bench;

import dev.lockstep.fsm.FsmEngine;
import dev.lockstep.fsm.FsmStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.springframework.statemachine.StateMachine;

/**
 * Suite {@code fsm}, scenario {@code memory-1t}: one thread cycles one entity IDLE → THINKING →
 * RESPONDING → IDLE in memory, one transition per operation. {@code lockstep}: an {@link FsmEngine}
 * on {@link FsmStore#inMemory()}, attempt log included (the store keeps every attempt, so it is
 * replaced at every iteration to bound the heap); {@code spring}: Spring Statemachine 4's reactive
 * {@code sendEvent}, checked ACCEPTED.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FsmMemoryBenchmark {

  static final List<String> NAMES = List.of("lockstep", "spring");

  @Param({"lockstep", "spring"})
  public String impl;

  FsmStore store;
  FsmEngine engine;
  LockstepMachines.Cycler cycler;
  StateMachine<String, String> spring;
  boolean lockstep;
  int step;

  @Setup(Level.Iteration)
  public void setUp() {
    lockstep = impl.equals("lockstep");
    switch (impl) {
      case "lockstep" -> {
        store = FsmStore.inMemory();
        engine = FsmEngine.builder(store).machine(LockstepMachines.AGENT_TURN).build();
        cycler = new LockstepMachines.Cycler(engine, "user-1");
      }
      case "spring" -> {
        spring = SpringMachines.agentGuard();
        step = 0;
      }
      default -> throw new IllegalArgumentException("unknown fsm impl " + impl);
    }
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    if (engine != null) {
      engine.close();
      store.close();
      engine = null;
      store = null;
    }
    if (spring != null) {
      spring.stopReactively().block();
      spring = null;
    }
  }

  /** Scenario {@code memory-1t}: the next transition of the one entity. */
  @Benchmark
  @Threads(1)
  public Object memory1t() {
    if (lockstep) {
      return cycler.next();
    }
    String event = SpringMachines.CYCLE_EVENTS[step];
    if (!SpringMachines.send(spring, event)) {
      throw new IllegalStateException("spring did not accept " + event);
    }
    step = step == 2 ? 0 : step + 1;
    return Boolean.TRUE;
  }
}
