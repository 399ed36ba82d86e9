package dev.lockstep.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.lock.CapacityExceededException;
import dev.lockstep.lock.DeadlockException;
import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.KeyedReadWriteLock;
import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockOptions;
import dev.lockstep.lock.LockRegistry;
import dev.lockstep.lock.LockTimeoutException;
import dev.lockstep.lock.RegistrySnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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
