package dev.lockstep.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.fsm.Attempt;
import dev.lockstep.fsm.DuplicateEntityException;
import dev.lockstep.fsm.EntityState;
import dev.lockstep.fsm.FireResult;
import dev.lockstep.fsm.FsmEngine;
import dev.lockstep.fsm.FsmInvariants;
import dev.lockstep.fsm.FsmStore;
import dev.lockstep.fsm.InvariantReport;
import dev.lockstep.fsm.MachineDefinition;
import dev.lockstep.fsm.Retry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep fsm create|fire|state|history|check}: entities of state machines in a SQLite
 * database, through the same {@link FsmEngine} as any Java user. Output is JSON, one line per
 * value.
 */
final class FsmEntityCommands {
  static final int TRANSITIONED = 0;
  static final int FAILED = 1;
  static final int CONFLICT = 3;
  static final int NOT_ALLOWED = 4;
  static final int GUARD_REJECTED = 5;

  private static final ObjectMapper JSON = new ObjectMapper();

  private FsmEntityCommands() {}

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> entity(EntityState e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("entity", e.entityId());
    m.put("machine", e.machine());
    m.put("state", e.state());
    m.put("version", e.version());
    m.put("data", e.data());
    return m;
  }

  /** What the entity commands share: the database, and failures printed to stderr. */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--db",
        paramLabel = "FILE",
        required = true,
        description = "The SQLite database (WAL; created by create and fire when missing).")
    Path db;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    int fail(int status, String message) {
      out().flush();
      spec.commandLine().getErr().println("lockstep fsm " + spec.name() + ": " + message);
      spec.commandLine().getErr().flush();
      return status;
    }

    /** For commands that only read: a missing database is a typo, not an empty one. */
    Integer requireDb() {
      return Files.exists(db) ? null : fail(FsmCommand.EX_NOINPUT, db + ": no such database");
    }

    /** Runs {@code body} on the existing database's entity {@code entity}, or says it is not. */
    int withEntity(
        String entity, java.util.function.BiFunction<FsmStore, EntityState, Integer> body) {
      Integer missing = requireDb();
      if (missing != null) {
        return missing;
      }
      try (FsmStore store = FsmStore.sqlite(db)) {
        Optional<EntityState> e = store.read(entity);
        if (e.isEmpty()) {
          return fail(FAILED, db + ": no entity '" + entity + "'");
        }
        return body.apply(store, e.get());
      }
    }

    @Override
    public final Integer call() {
      try {
        return run();
      } catch (IllegalArgumentException e) {
        return fail(FsmCommand.USAGE, e.getMessage());
      } catch (RuntimeException e) {
        String message = Problems.describe(e, db);
        return fail(FAILED, message.contains(db.toString()) ? message : db + ": " + message);
      } finally {
        out().flush();
      }
    }

    abstract int run();
  }

  /** Commands that also need the machine definition. */
  abstract static class WithDefinition extends Base {
    @Option(
        names = "--def",
        paramLabel = "DEF",
        required = true,
        description = "The machine definition (.yaml, .yml or .json).")
    Path def;

    MachineDefinition definition(int[] status) {
      return FsmCommand.load(def, spec.commandLine().getErr(), status);
    }

    FsmEngine engine(FsmStore store, MachineDefinition d) {
      // Effects need Java bodies: the command line records them in the outbox and leaves their
      // dispatch to a process that has the handlers.
      return FsmEngine.builder(store).machine(d).dispatchEffects(false).build();
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create ENTITY in the machine's initial state (version 0); print it as JSON.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        "  0:created",
        "  1:not created (the entity exists, the definition is invalid, the store failed)",
        "  2:usage error (a blank ENTITY, bad --data)",
        " 66:DEF cannot be read"
      })
  static final class Create extends WithDefinition {
    @Parameters(
        paramLabel = "ENTITY",
        description = "The entity id (unique in the database, not blank).")
    String entity;

    @Option(names = "--data", paramLabel = "JSON", description = "The entity's data, an object.")
    String data;

    @Override
    int run() {
      if (entity.isBlank()) {
        throw new IllegalArgumentException(
            "ENTITY must not be blank (was '" + entity + "'): give the entity an id");
      }
      int[] status = {0};
      MachineDefinition d = definition(status);
      if (d == null) {
        return status[0];
      }
      Map<String, Object> values = data == null ? Map.of() : object("--data", data);
      try (FsmStore store = FsmStore.sqlite(db);
          FsmEngine engine = engine(store, d)) {
        out().println(json(entity(engine.create(d.name(), entity, values))));
        return 0;
      } catch (DuplicateEntityException e) {
        return fail(FAILED, e.getMessage());
      }
    }
  }

  @Command(
      name = "fire",
      mixinStandardHelpOptions = true,
      description = {
        "Fire EVENT at ENTITY in one transaction and print the outcome as one JSON line.",
        "Optimistic: of several writers racing on one entity, exactly one wins; the others get a"
            + " conflict (or, once it has moved, not allowed)."
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        "  0:transitioned",
        "  1:failed (an action or guard threw, no such entity, the store failed)",
        "  2:usage error (EVENT is not one of the machine's, bad --payload or --retry)",
        "  3:conflict: another writer moved the entity first",
        "  4:not allowed: no transition on EVENT from the entity's state",
        "  5:guard rejected",
        " 66:DEF cannot be read"
      })
  static final class Fire extends WithDefinition {
    @Parameters(index = "0", paramLabel = "ENTITY", description = "The entity id.")
    String entity;

    @Parameters(index = "1", paramLabel = "EVENT", description = "One of the machine's events.")
    String event;

    @Option(names = "--payload", paramLabel = "JSON", description = "The event's payload object.")
    String payload;

    @Option(
        names = "--retry",
        paramLabel = "N",
        description = "On conflict, re-read and re-evaluate up to N times (default 0).")
    int retry;

    @Override
    int run() {
      int[] status = {0};
      MachineDefinition d = definition(status);
      if (d == null) {
        return status[0];
      }
      if (!d.events().contains(event)) {
        // A typo, not a lost race: refused before the store is opened, and no attempt is logged.
        throw new IllegalArgumentException(
            "no event '"
                + event
                + "' in machine '"
                + d.name()
                + "' ("
                + def
                + "); its events: "
                + String.join(", ", d.events()));
      }
      Map<String, Object> values = payload == null ? Map.of() : object("--payload", payload);
      if (retry < 0) {
        throw new IllegalArgumentException("--retry must be >= 0, not " + retry);
      }
      try (FsmStore store = FsmStore.sqlite(db);
          FsmEngine engine = engine(store, d)) {
        FireResult r =
            engine.fire(
                d.name(), entity, event, values, retry == 0 ? Retry.none() : Retry.upTo(retry));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("entity", entity);
        line.put("event", event);
        line.put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
        int code =
            switch (r) {
              case FireResult.Transitioned t -> {
                line.put("from", t.from());
                line.put("to", t.to());
                line.put("version", t.version());
                yield TRANSITIONED;
              }
              case FireResult.Conflict c -> {
                line.put("expectedVersion", c.expectedVersion());
                line.put("actualVersion", c.actualVersion());
                yield CONFLICT;
              }
              case FireResult.NotAllowed n -> {
                line.put("state", n.state());
                yield NOT_ALLOWED;
              }
              case FireResult.GuardRejected g -> {
                line.put("guard", g.guard());
                line.put("reason", g.reason());
                yield GUARD_REJECTED;
              }
              case FireResult.Failed f -> {
                line.put("error", Problems.describe(f.error()));
                yield FAILED;
              }
            };
        out().println(json(line));
        return code;
      }
    }
  }

  @Command(
      name = "state",
      mixinStandardHelpOptions = true,
      description = "Print ENTITY's machine, state, version and data as one JSON line.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"  0:printed", "  1:no such entity", " 66:no such database"})
  static final class State extends Base {
    @Parameters(paramLabel = "ENTITY")
    String entity;

    @Override
    int run() {
      return withEntity(
          entity,
          (store, e) -> {
            out().println(json(entity(e)));
            return 0;
          });
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description =
          "Print every attempt on ENTITY (all outcomes), oldest first, one JSON line each.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"  0:printed", "  1:no such entity", " 66:no such database"})
  static final class History extends Base {
    @Parameters(paramLabel = "ENTITY")
    String entity;

    @Override
    int run() {
      return withEntity(entity, (store, e) -> print(store.history(entity)));
    }

    private int print(List<Attempt> attempts) {
      for (Attempt a : attempts) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("attempt", a.attemptId());
        m.put("time", a.time().toString());
        m.put("machine", a.machine());
        m.put("event", a.event());
        m.put("from", a.from());
        m.put("to", a.to());
        m.put("guard", a.guard());
        m.put("guardResult", a.guardResult().name().toLowerCase(java.util.Locale.ROOT));
        m.put("outcome", a.outcome().name().toLowerCase(java.util.Locale.ROOT));
        m.put("version", a.version());
        m.put("error", a.error());
        out().println(json(m));
      }
      return 0;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Check the database's invariants and print each violation.",
        "Each entity's version equals its number of transitions, replaying them from the initial"
            + " state gives its state, and every outbox row has its transition. Give the"
            + " definitions with --def to also check each transition against its machine."
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        "  0:every invariant holds",
        "  1:a violation (each is printed)",
        " 66:no such database, or a DEF cannot be read"
      })
  static final class Check extends Base {
    @Option(names = "--def", paramLabel = "DEF", description = "Machine definitions to check.")
    List<Path> defs = new ArrayList<>();

    @Override
    int run() {
      Integer missing = requireDb();
      if (missing != null) {
        return missing;
      }
      List<MachineDefinition> definitions = new ArrayList<>();
      for (Path def : defs) {
        int[] status = {0};
        MachineDefinition d = FsmCommand.load(def, spec.commandLine().getErr(), status);
        if (d == null) {
          return status[0];
        }
        definitions.add(d);
      }
      try (FsmStore store = FsmStore.sqlite(db)) {
        InvariantReport report =
            definitions.isEmpty()
                ? FsmInvariants.check(store)
                : FsmInvariants.check(store, definitions);
        for (String v : report.violations()) {
          out().println("violation: " + v);
        }
        out()
            .println(
                db
                    + ": "
                    + report.entities()
                    + " entities, "
                    + report.attempts()
                    + " attempts, "
                    + report.violations().size()
                    + " violation(s)");
        return report.ok() ? 0 : FAILED;
      }
    }
  }

  /**
   * The JSON object {@code text} given to {@code option}; IllegalArgumentException (a usage error)
   * naming the option when it is not one, or when it holds a number a double cannot hold (which
   * would be stored as the string "Infinity", or as 0).
   */
  static Map<String, Object> object(String option, String text) {
    Map<String, Object> value;
    try {
      value = JSON.readValue(text, new TypeReference<Map<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          option + " must be a JSON object: " + e.getOriginalMessage());
    }
    DoubleRange.Misfit misfit = DoubleRange.find(JSON.getFactory(), text);
    if (misfit != null) {
      throw new IllegalArgumentException(option + ": " + misfit.path() + ": " + misfit.problem());
    }
    return value;
  }
}
