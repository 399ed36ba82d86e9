package dev.lockstep.bench;

import java.util.Set;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.statemachine.StateMachine;
import org.springframework.statemachine.StateMachineEventResult;
import org.springframework.statemachine.config.StateMachineBuilder;
import reactor.core.publisher.Mono;

/**
 * Spring Statemachine 4 peer of suite {@code fsm}: the per-user agent guard IDLE → THINKING →
 * RESPONDING → IDLE (with {@code error} back to IDLE), built with Spring's builder and driven
 * through its reactive {@code sendEvent}.
 */
final class SpringMachines {
  private SpringMachines() {}

  static final String[] CYCLE_EVENTS = {"think", "respond", "done"};

  /** A started machine in IDLE. */
  static StateMachine<String, String> agentGuard() {
    try {
      StateMachineBuilder.Builder<String, String> b = StateMachineBuilder.builder();
      b.configureConfiguration().withConfiguration().autoStartup(false);
      b.configureStates()
          .withStates()
          .initial("IDLE")
          .states(Set.of("IDLE", "THINKING", "RESPONDING"));
      b.configureTransitions()
          .withExternal()
          .source("IDLE")
          .target("THINKING")
          .event("think")
          .and()
          .withExternal()
          .source("THINKING")
          .target("RESPONDING")
          .event("respond")
          .and()
          .withExternal()
          .source("RESPONDING")
          .target("IDLE")
          .event("done")
          .and()
          .withExternal()
          .source("THINKING")
          .target("IDLE")
          .event("error")
          .and()
          .withExternal()
          .source("RESPONDING")
          .target("IDLE")
          .event("error");
      StateMachine<String, String> m = b.build();
      m.startReactively().block();
      return m;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the Spring Statemachine peer", e);
    }
  }

  /** Sends {@code event} and returns whether Spring answered ACCEPTED. */
  static boolean send(StateMachine<String, String> m, String event) {
    Message<String> message = MessageBuilder.withPayload(event).build();
    StateMachineEventResult<String, String> r = m.sendEvent(Mono.just(message)).blockLast();
    return r != null && r.getResultType() == StateMachineEventResult.ResultType.ACCEPTED;
  }
}
