package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsmEntityCommandsTest {
  private static final String GUARD =
      """
      name: user-guard
      initial: IDLE
      states: [IDLE, THINKING, RESPONDING]
      guards:
        small: "payload.size < 10"
      transitions:
        - {from: IDLE, on: message, to: THINKING, guard: small}
        - {from: THINKING, on: reply, to: RESPONDING}
        - {from: RESPONDING, on: done, to: IDLE}
        - {from: [THINKING, RESPONDING], on: fail, to: IDLE}
      """;

  @TempDir Path dir;

  private String def() throws Exception {
    return Files.writeString(dir.resolve("guard.yaml"), GUARD).toString();
  }

  private String db() {
    return dir.resolve("agents.db").toString();
  }

  @Test
  void createFireStateHistoryCheckWithTheirExitCodes() throws Exception {
    String def = def();
    CliRun created = CliRun.of("fsm", "create", "--db", db(), "--def", def, "u1");
    assertEquals(0, created.status(), created.err());
    assertEquals(
        "{\"entity\":\"u1\",\"machine\":\"user-guard\",\"state\":\"IDLE\",\"version\":0,\"data\":{}}\n",
        created.out());
    assertEquals(
        FsmEntityCommands.FAILED,
        CliRun.of("fsm", "create", "--db", db(), "--def", def, "u1").status(),
        "an entity is created once");

    CliRun rejected =
        CliRun.of(
            "fsm",
            "fire",
            "--db",
            db(),
            "--def",
            def,
            "u1",
            "message",
            "--payload",
            "{\"size\": 50}");
    assertEquals(FsmEntityCommands.GUARD_REJECTED, rejected.status(), rejected.err());
    assertTrue(rejected.out().contains("\"outcome\":\"guard_rejected\""), rejected.out());

    CliRun moved =
        CliRun.of(
            "fsm",
            "fire",
            "--db",
            db(),
            "--def",
            def,
            "u1",
            "message",
            "--payload",
            "{\"size\": 5}");
    assertEquals(FsmEntityCommands.TRANSITIONED, moved.status(), moved.err());
    assertEquals(
        "{\"entity\":\"u1\",\"event\":\"message\",\"outcome\":\"transitioned\",\"from\":\"IDLE\",\"to\":\"THINKING\",\"version\":1}\n",
        moved.out());

    CliRun notAllowed = CliRun.of("fsm", "fire", "--db", db(), "--def", def, "u1", "done");
    assertEquals(FsmEntityCommands.NOT_ALLOWED, notAllowed.status(), notAllowed.out());

    CliRun state = CliRun.of("fsm", "state", "--db", db(), "u1");
    assertTrue(state.out().contains("\"state\":\"THINKING\",\"version\":1"), state.out());
    List<String> history = CliRun.of("fsm", "history", "--db", db(), "u1").out().lines().toList();
    assertEquals(3, history.size(), history.toString());
    assertTrue(history.get(0).contains("\"outcome\":\"guard_rejected\""), history.get(0));
    assertTrue(history.get(1).contains("\"outcome\":\"transitioned\""), history.get(1));
    assertTrue(history.get(2).contains("\"outcome\":\"not_allowed\""), history.get(2));

    CliRun check = CliRun.of("fsm", "check", "--db", db(), "--def", def);
    assertEquals(0, check.status(), check.out());
    assertTrue(check.out().endsWith("1 entities, 3 attempts, 0 violation(s)\n"), check.out());
    assertEquals(0, CliRun.of("fsm", "check", "--db", db()).status());
  }

  @Test
  void badInputIsAUsageErrorAndMissingThingsAreNamed() throws Exception {
    String def = def();
    assertEquals(0, CliRun.of("fsm", "create", "--db", db(), "--def", def, "u1").status());
    CliRun badPayload =
        CliRun.of("fsm", "fire", "--db", db(), "--def", def, "u1", "message", "--payload", "[1]");
    assertEquals(FsmCommand.USAGE, badPayload.status());
    assertTrue(badPayload.err().contains("--payload must be a JSON object"), badPayload.err());
    CliRun noEntity = CliRun.of("fsm", "state", "--db", db(), "nobody");
    assertEquals(FsmEntityCommands.FAILED, noEntity.status());
    assertTrue(noEntity.err().contains("no entity 'nobody'"), noEntity.err());
    CliRun noDb = CliRun.of("fsm", "check", "--db", dir.resolve("typo.db").toString());
    assertEquals(FsmCommand.EX_NOINPUT, noDb.status());
    assertTrue(Files.notExists(dir.resolve("typo.db")), "reading commands never create a database");
    CliRun fireMissing = CliRun.of("fsm", "fire", "--db", db(), "--def", def, "nobody", "message");
    assertEquals(FsmEntityCommands.FAILED, fireMissing.status(), fireMissing.out());
  }

  /** A blank entity id is a usage error, and nothing is created (it was created, exit 0). */
  @Test
  void aBlankEntityIdIsAUsageError() throws Exception {
    String def = def();
    for (String id : new String[] {"", "  ", "\t"}) {
      CliRun create = CliRun.of("fsm", "create", "--db", db(), "--def", def, id);
      assertEquals(FsmCommand.USAGE, create.status(), "'" + id + "': " + create.out());
      assertEquals("", create.out());
      assertTrue(create.err().contains("ENTITY must not be blank"), create.err());
    }
    assertTrue(Files.notExists(dir.resolve("agents.db")), "nothing was created");
  }

  /**
   * An event the machine does not have (a typo) is a usage error naming it and listing the
   * machine's events, and no attempt: not "not_allowed" (exit 4, the code of a lost race), logged
   * as an attempt, as it was.
   */
  @Test
  void anUnknownEventIsAUsageErrorListingTheMachinesEvents() throws Exception {
    String def = def();
    CliRun typoNoDb = CliRun.of("fsm", "fire", "--db", db(), "--def", def, "u1", "mesage");
    assertEquals(FsmCommand.USAGE, typoNoDb.status(), typoNoDb.out() + typoNoDb.err());
    assertTrue(Files.notExists(dir.resolve("agents.db")), "a typo creates no database");
    assertEquals(0, CliRun.of("fsm", "create", "--db", db(), "--def", def, "u1").status());
    CliRun typo = CliRun.of("fsm", "fire", "--db", db(), "--def", def, "u1", "nosuchevent");
    assertEquals(FsmCommand.USAGE, typo.status(), typo.out() + typo.err());
    assertEquals("", typo.out());
    assertTrue(typo.err().contains("no event 'nosuchevent'"), typo.err());
    assertTrue(typo.err().contains("message, reply, done, fail"), typo.err());
    assertEquals("", CliRun.of("fsm", "history", "--db", db(), "u1").out(), "not an attempt");
    CliRun notNow = CliRun.of("fsm", "fire", "--db", db(), "--def", def, "u1", "done");
    assertEquals(FsmEntityCommands.NOT_ALLOWED, notNow.status(), "a known event, not allowed now");
    CliRun noEntity = CliRun.of("fsm", "fire", "--db", db(), "--def", def, "nobody", "message");
    assertEquals(FsmEntityCommands.FAILED, noEntity.status(), noEntity.out());
    assertTrue(noEntity.out().contains("no entity 'nobody'"), noEntity.out());
  }

  /**
   * A number a double cannot hold, in --data or --payload, is a usage error naming the option, the
   * field and the number; nothing is created or fired. (Before: 1e400 was stored as the string
   * "Infinity" and 1e-400 as 0.0, exit 0.) Large integers are kept exactly, as before.
   */
  @Test
  void aNumberADoubleCannotHoldIsAUsageErrorNamingOptionAndField() throws Exception {
    String def = def();
    CliRun huge =
        CliRun.of("fsm", "create", "--db", db(), "--def", def, "u1", "--data", "{\"a\": 1e400}");
    assertEquals(FsmCommand.USAGE, huge.status(), huge.out() + huge.err());
    assertTrue(huge.err().contains("--data: a: the number 1e400 does not fit"), huge.err());
    CliRun tiny =
        CliRun.of(
            "fsm",
            "create",
            "--db",
            db(),
            "--def",
            def,
            "u1",
            "--data",
            "{\"b\": {\"c\": [1, -1e-400]}}");
    assertEquals(FsmCommand.USAGE, tiny.status(), tiny.out() + tiny.err());
    assertTrue(tiny.err().contains("--data: b.c[1]: the number -1e-400"), tiny.err());
    assertTrue(Files.notExists(dir.resolve("agents.db")), "nothing was created");

    String big = "1" + "0".repeat(400);
    CliRun created =
        CliRun.of(
            "fsm", "create", "--db", db(), "--def", def, "u1", "--data", "{\"n\": " + big + "}");
    assertEquals(0, created.status(), created.err());
    assertTrue(created.out().contains("\"n\":" + big + "}"), created.out());
    CliRun payload =
        CliRun.of(
            "fsm",
            "fire",
            "--db",
            db(),
            "--def",
            def,
            "u1",
            "message",
            "--payload",
            "{\"size\": -1E+400}");
    assertEquals(FsmCommand.USAGE, payload.status(), payload.out() + payload.err());
    assertTrue(payload.err().contains("--payload: size: the number -1E+400"), payload.err());
    assertEquals("", payload.out());
    assertEquals("", CliRun.of("fsm", "history", "--db", db(), "u1").out(), "no attempt was made");
  }

  /**
   * Several {@code lockstep fsm fire} processes racing on one entity of one database behave like
   * the race harness: exactly one transitions, the others get a conflict or not-allowed, and every
   * attempt is in the history. Checked once against a broken engine whose conditional UPDATE
   * ignored the version: two or more processes exited 0.
   */
  @Test
  void racingFireProcessesHaveExactlyOneWinner() throws Exception {
    String def = def();
    assertEquals(0, CliRun.of("fsm", "create", "--db", db(), "--def", def, "u1").status());
    assertEquals(
        0,
        CliRun.of(
                "fsm",
                "fire",
                "--db",
                db(),
                "--def",
                def,
                "u1",
                "message",
                "--payload",
                "{\"size\": 1}")
            .status());
    int n = 4;
    Path go = dir.resolve("go");
    List<Process> racers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // Each child waits for the file "go" before firing, so the JVM start-ups do not serialize
      // the race.
      List<String> cmd =
          List.of(
              "/bin/sh",
              "-c",
              "while [ ! -e \"$0\" ]; do sleep 0.01; done; exec \"$@\"",
              go.toString());
      List<String> all = new ArrayList<>(cmd);
      all.addAll(CliRun.childCommand("fsm", "fire", "--db", db(), "--def", def, "u1", "reply"));
      racers.add(new ProcessBuilder(all).redirectErrorStream(true).start());
    }
    Thread.sleep(300); // let the JVMs start while the racers wait for "go"
    Files.writeString(go, "");
    int winners = 0;
    int losers = 0;
    List<String> outputs = new ArrayList<>();
    for (Process p : racers) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      outputs.add(p.exitValue() + " " + out.strip());
      if (p.exitValue() == FsmEntityCommands.TRANSITIONED) {
        winners++;
      } else if (p.exitValue() == FsmEntityCommands.CONFLICT
          || p.exitValue() == FsmEntityCommands.NOT_ALLOWED) {
        losers++;
      }
    }
    assertEquals(1, winners, outputs.toString());
    assertEquals(n - 1, losers, outputs.toString());
    List<String> history = CliRun.of("fsm", "history", "--db", db(), "u1").out().lines().toList();
    assertEquals(1 + n, history.size(), "every racer's attempt is logged: " + history);
    CliRun check = CliRun.of("fsm", "check", "--db", db(), "--def", def);
    assertEquals(0, check.status(), check.out());
  }
}
