package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The picocli-free reading of {@code lockstep lock}'s usual command lines. */
class LockQuickParseTest {

  @Test
  void readsTheUsualForms() {
    LockCommand c =
        LockCommand.quick(
            new String[] {"lock", "-s", "--posix", "--timeout=2s", "f.lock", "--", "ls", "-l"});
    assertNotNull(c);
    assertTrue(c.shared && c.posix && !c.nonblock);
    assertEquals("2s", c.timeout);
    assertEquals(Path.of("f.lock"), c.file);
    assertEquals(List.of("ls", "-l"), c.command);

    LockCommand d = LockCommand.quick(new String[] {"lock", "-n", "-w", "5", "f", "echo", "-n"});
    assertNotNull(d);
    assertTrue(d.nonblock);
    assertEquals(List.of("echo", "-n"), d.command);
    assertEquals(Duration.ofSeconds(5), LockCommand.parseDuration(d.timeout));
  }

  @Test
  void leavesEverythingElseToPicocli() {
    assertNull(LockCommand.quick(new String[] {"lock", "--help"}));
    assertNull(LockCommand.quick(new String[] {"lock", "-sn", "f", "--", "true"}));
    assertNull(LockCommand.quick(new String[] {"lock", "-w", "soon", "f", "--", "true"}));
    assertNull(LockCommand.quick(new String[] {"lock", "f", "--"}));
    assertNull(LockCommand.quick(new String[] {"lock", "-w"}));
  }

  @Test
  void quickPathRunsTheCommandUnderTheLock(@TempDir Path dir) {
    Path lock = dir.resolve("job.lock");
    int status = Main.run("lock", lock.toString(), "--", "sh", "-c", "exit 3");
    assertEquals(3, status);
    assertTrue(lock.toFile().exists(), "the lock file is created and kept");
  }
}
