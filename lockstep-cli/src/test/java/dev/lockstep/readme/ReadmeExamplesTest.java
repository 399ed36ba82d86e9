package dev.lockstep.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.doc.Change;
import dev.lockstep.doc.DocumentCodecs;
import dev.lockstep.doc.DocumentStore;
import dev.lockstep.doc.StaleRevisionException;
import dev.lockstep.doc.Versioned;
import dev.lockstep.doc.Workflow;
import dev.lockstep.doc.WorkflowStatus;
import dev.lockstep.fsm.FireResult;
import dev.lockstep.fsm.FsmEngine;
import dev.lockstep.fsm.FsmStore;
import dev.lockstep.fsm.MachineDefinition;
import dev.lockstep.lock.CapacityExceededException;
import dev.lockstep.lock.DeadlockException;
import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.KeyedReadWriteLock;
import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockOptions;
import dev.lockstep.lock.LockRegistry;
import dev.lockstep.lock.LockTimeoutException;
import dev.lockstep.lock.ReadWriteLock;
import dev.lockstep.lock.RegistrySnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code of the README's API tour, compiled and run. Each README ```java block must appear
 * verbatim (after trimming indentation) between a {@code // readme:begin} and {@code // readme:end}
 * pair here; {@link #readmeBlocksAreCompiledHere()} checks it.
 */
class ReadmeExamplesTest {

  @Test
  void keyedLock() throws Exception {
    // readme:begin
    KeyedLock<String> users = KeyedLock.create(LockOptions.named("users").withMaxActiveKeys(500));

    try (LockHandle h = users.acquire("alice", Duration.ofSeconds(5))) {
      // only one message of alice's at a time; bob's run in parallel
    } catch (LockTimeoutException e) {
      // the message names the key, the timeout and the holder
    } catch (CapacityExceededException e) {
      // 500 users already active: refuse politely
    }

    users.tryAcquire("bob").ifPresent(LockHandle::close); // never waits

    users
        .acquireAsync("carol", Duration.ofSeconds(5)) // holds no thread while waiting
        .thenAccept(h -> h.close());
    // readme:end
    users.acquireAsync("carol", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS).close();
    assertEquals(0, users.activeKeys());
  }

  @Test
  void readWrite() throws Exception {
    // readme:begin
    KeyedReadWriteLock<String> docs = KeyedReadWriteLock.create();
    try (LockHandle w = docs.acquireWrite("STATE.md", Duration.ofSeconds(5));
        LockHandle r = w.downgrade()) { // readers may join, no writer slips in between
      // read what was just written
    }
    // readme:end
    assertEquals(0, docs.activeKeys());
  }

  @Test
  void scopedReadWrite() throws Exception {
    Map<String, String> settings = new ConcurrentHashMap<>(Map.of("mode", "slow"));
    // readme:begin
    ReadWriteLock config = ReadWriteLock.create(LockOptions.named("config"));

    String mode = config.read(Duration.ofSeconds(5), () -> settings.get("mode"));
    config.write(Duration.ofSeconds(5), () -> settings.put("mode", "fast"));
    // readme:end
    assertEquals("slow", mode);
    assertEquals("fast", settings.get("mode"));
    assertEquals("fast", config.read(Duration.ZERO, () -> settings.get("mode")));
    try (LockHandle idle = config.tryAcquireWrite().orElseThrow()) { // both scopes released
      assertTrue(idle.isHeld());
    }
  }

  @Test
  void registry() throws Exception {
    // readme:begin
    try (LockRegistry registry = LockRegistry.create()) {
      KeyedLock<String> files = registry.keyed("files");
      KeyedLock<String> users = registry.keyed("users");
      try (LockHandle f = files.acquire("a.txt", Duration.ofSeconds(5))) {
        // if another thread holds "alice" and waits for "a.txt", this acquire
        // fails at once with a DeadlockException naming the cycle
        users.acquire("alice", Duration.ofSeconds(5)).close();
      } catch (DeadlockException e) {
        System.err.println(e.cycle());
      }
      RegistrySnapshot snapshot = registry.snapshot(); // counters, p50/p90/p99, holders
      System.out.println(snapshot.toJson());
    }
    // readme:end
  }

  @Test
  void documents(@TempDir Path dir) throws Exception {
    // readme:begin
    try (DocumentStore<ObjectNode> state =
        DocumentStore.open(dir.resolve("state.yaml"), DocumentCodecs.yaml())) {
      state.createIfAbsent(JsonNodeFactory.instance.objectNode().put("counter", 0));
      // under state.yaml.lock (flock, as Python's filelock): read, apply, validate, fsync, log
      Versioned<ObjectNode> next =
          state.update(doc -> doc.put("counter", doc.get("counter").asInt() + 1));
      System.out.println(next.revision()); // 2, also in the file: "revision: 2"
      try {
        state.compareAndSet(1, next.value()); // optimistic: the document is past revision 1
      } catch (StaleRevisionException e) {
        // someone moved it on: re-read and decide
      }
      for (Change c : state.history()) { // state.yaml.changes.jsonl: who, when, what changed
        System.out.println(c.revision() + " " + c.operation() + " " + c.patch().orElse(""));
      }
      ObjectNode first = state.at(1).value(); // any logged revision, rebuilt from the log
    }
    // readme:end
    assertTrue(Files.readString(dir.resolve("state.yaml")).contains("counter: 1"));
  }

  @Test
  void workflow(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("STATE.md"),
        """
        # Workflow: Ingest docs
        **Workflow ID:** wf_1
        **Status:** Wave 2/5
        **Revision:** 7
        **Started:** 2026-01-21T10:00:00Z
        **Updated:** 2026-01-21T10:05:00Z

        ## Completed
        - [x] fetch sources
        ## Current Wave
        - [~] parse pages
        - [ ] index pages
        ## Pending Waves
        ### Wave 3
        - [ ] summarize
        ## Notes
        - 2026-01-21T10:04:00Z retrying parse after timeout
        """);
    // readme:begin
    try (DocumentStore<Workflow> workflow =
        DocumentStore.open(dir.resolve("STATE.md"), Workflow.codec())) {
      Instant now = Instant.now();
      workflow.update(
          wf ->
              wf.markDone("parse pages")
                  .markDone("index pages")
                  .completeWave() // into Completed; Wave 3 becomes the current wave
                  .withStatus(WorkflowStatus.of(3, 5))
                  .addNote(now, "wave 2 done")
                  .withUpdated(now));
    }
    // readme:end
    String after = Files.readString(dir.resolve("STATE.md"));
    assertTrue(after.contains("**Revision:** 8"), after);
    assertTrue(after.contains("## Current Wave\n- [ ] summarize"), after);
  }

  @Test
  void machines(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("user-guard.yaml"),
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
        """);
    // readme:begin
    MachineDefinition guard = MachineDefinition.load(dir.resolve("user-guard.yaml"));
    try (FsmStore store = FsmStore.sqlite(dir.resolve("agents.db")); // or FsmStore.inMemory()
        FsmEngine machines = FsmEngine.builder(store).machine(guard).build()) {
      machines.create("user-guard", "alice");
      switch (machines.fire("user-guard", "alice", "message", Map.of("size", 3))) {
        case FireResult.Transitioned t -> System.out.println("now " + t.to() + " v" + t.version());
        case FireResult.Conflict c -> System.out.println("another worker fired first");
        case FireResult.NotAllowed n -> System.out.println("no 'message' in " + n.state());
        case FireResult.GuardRejected g -> System.out.println(g.reason());
        case FireResult.Failed f -> f.error().printStackTrace();
      }
      machines.history("alice").forEach(System.out::println); // every attempt, any outcome
    }
    // readme:end
    try (FsmStore store = FsmStore.sqlite(dir.resolve("agents.db"))) {
      assertEquals("THINKING", store.read("alice").orElseThrow().state());
    }
  }

  @Test
  void readmeBlocksAreCompiledHere() throws IOException {
    Path readme = findReadme();
    String text = Files.readString(readme);
    Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(text);
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(normalize(m.group(1)));
    }
    assertTrue(!blocks.isEmpty(), "README has no ```java blocks");
    String source =
        Files.readString(
            Path.of("src/test/java/dev/lockstep/readme/ReadmeExamplesTest.java").toAbsolutePath());
    List<String> regions = new ArrayList<>();
    Matcher r =
        Pattern.compile("// readme:begin\\n(.*?)\\n\\s*// readme:end", Pattern.DOTALL)
            .matcher(source);
    while (r.find()) {
      regions.add(normalize(r.group(1)));
    }
    for (String b : blocks) {
      if (!regions.contains(b)) {
        fail("README block is not compiled in ReadmeExamplesTest (copy it there):\n" + b);
      }
    }
  }

  private static String normalize(String code) {
    List<String> out = new ArrayList<>();
    for (String line : code.strip().split("\\n")) {
      out.add(line.strip());
    }
    return String.join("\n", out);
  }

  private static Path findReadme() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("README.md")) && Files.exists(p.resolve("lockstep-core"))) {
        return p.resolve("README.md");
      }
    }
    throw new IllegalStateException("README.md not found above " + Path.of("").toAbsolutePath());
  }
}
