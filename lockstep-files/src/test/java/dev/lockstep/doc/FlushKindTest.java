package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which flush each file of a commit gets from the real file layer: {@code fdatasync} (bytes and
 * length) for a spare overwritten in place and for the change log, a full {@code fsync} wherever
 * other metadata must survive a power loss too: a new temp file (its {@code chmod}), a spare whose
 * permissions had to change, a directory. Shown to fail on two broken variants: a rewrite that
 * always fsyncs ("expected [false] but was [true]" in the first test) and one that always
 * fdatasyncs, losing a changed mode to a power cut ("expected [true] but was [false]" in the
 * second).
 */
class FlushKindTest {
  @TempDir Path dir;

  private final List<Boolean> flushes = new ArrayList<>(); // metadata flag of each flush, in order
  private final RealDocumentFiles files =
      new RealDocumentFiles(
          (channel, metadata) -> {
            flushes.add(metadata);
            channel.force(metadata);
          });

  private static final Set<PosixFilePermission> RW_R_R =
      PosixFilePermissions.fromString("rw-r--r--");

  private Path spare(String mode) throws Exception {
    Path probe = Files.writeString(dir.resolve("lease-probe"), "x");
    assumeTrue(OpenFileCheck.openNowhereElse(probe), "no file leases here: spares never reused");
    Files.delete(probe);
    Path spare =
        Files.writeString(dir.resolve(".state.yaml.spare-0123456789abcdef"), "old: 1234\n");
    Files.setPosixFilePermissions(spare, PosixFilePermissions.fromString(mode));
    return spare;
  }

  @Test
  void aSpareWithUnchangedPermissionsIsFlushedWithFdatasync() throws Exception {
    Path spare = spare("rw-r--r--");
    byte[] shorter = "new: 1\n".getBytes(StandardCharsets.UTF_8);
    assertTrue(files.rewrite(spare, shorter, RW_R_R, true));
    assertEquals(List.of(false), flushes, "fdatasync (bytes and the cut length), no fsync");
    assertArrayEquals(shorter, Files.readAllBytes(spare));
  }

  @Test
  void aSpareWhosePermissionsChangedIsFlushedWithFsync() throws Exception {
    Path spare = spare("rw-------");
    assertTrue(files.rewrite(spare, "new: 2\n".getBytes(StandardCharsets.UTF_8), RW_R_R, true));
    assertEquals(List.of(true), flushes, "the chmod must survive a power loss too: fsync");
    assertEquals(RW_R_R, Files.getPosixFilePermissions(spare));
  }

  @Test
  void newTempFilesDirectoriesAndTheLogGetTheirOwnFlush() throws Exception {
    files.createSynced(dir.resolve(".state.yaml.tmp-1"), new byte[] {'a'}, RW_R_R);
    assertEquals(List.of(true), flushes, "a new file: its mode was set by a chmod, fsync");
    files.syncDirectory(dir);
    assertEquals(List.of(true, true), flushes, "a directory: fsync");
    try (DocumentFiles.AppendFile log = files.openAppend(dir.resolve("state.yaml.changes.jsonl"))) {
      log.append(new byte[] {'{', '}', '\n'});
      log.sync();
    }
    assertEquals(List.of(true, true, false), flushes, "the log: fdatasync");
  }
}
