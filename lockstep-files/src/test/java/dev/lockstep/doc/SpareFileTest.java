package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oldest backup that a rotation drops is kept as a spare and overwritten in place by the next
 * commit, instead of being unlinked (and a new temp file made): backups keep their count, names and
 * content, no other name of a former document and no reader that still has one open sees it change,
 * {@code verify()} does not report a spare, and {@code recover()}, a store's first commit and
 * {@code close()} remove them.
 */
class SpareFileTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("state.yaml");
  }

  private DocumentStore<ObjectNode> open(FaultyFiles files) throws IOException {
    return FileDocumentStore.open(file(), DocumentCodecs.yaml(), DocumentOptions.defaults(), files);
  }

  private static ObjectNode increment(ObjectNode d) {
    return d.put("counter", d.get("counter").asInt() + 1);
  }

  private static void create(DocumentStore<ObjectNode> store)
      throws IOException, InterruptedException {
    store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
  }

  private List<Path> spares() throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(p -> p.getFileName().toString().matches("\\.state\\.yaml\\.spare-[0-9a-f]{16}"))
          .toList();
    }
  }

  private long revisionOf(Path p) throws IOException {
    return DocumentCodecs.yaml()
        .decode(Files.readAllBytes(p), p.toString())
        .get("revision")
        .asLong();
  }

  @Test
  void theSpareIsReusedAndTheBackupsKeepTheLastRevisions() throws Exception {
    Path probe = Files.writeString(dir.resolve("lease-probe"), "x");
    assumeTrue(
        OpenFileCheck.openNowhereElse(probe),
        "no file leases on "
            + dir
            + " (fs.leases-enable=0, or a file system without them):"
            + " spares are never reused there, by design");
    Files.delete(probe);
    FaultyFiles files = new FaultyFiles();
    try (DocumentStore<ObjectNode> store = open(files)) {
      create(store);
      files.resetCounts();
      for (int revision = 2; revision <= 12; revision++) {
        store.update(SpareFileTest::increment);
        for (int i = 1; i <= 3 && revision - i >= 1; i++) {
          assertEquals(revision - i, revisionOf(dir.resolve("state.yaml.backup." + i)));
        }
        assertEquals(revision >= 5 ? 1 : 0, spares().size(), "spares at revision " + revision);
        assertTrue(store.verify().ok(), store.verify().toString());
      }
      // revisions 6 to 12 each overwrote the spare that the commit before kept
      assertEquals(7, files.count(FaultyFiles.Kind.REWRITE));
    }
    assertEquals(List.of(), spares(), "close() deletes the spare");
  }

  /**
   * A program that keeps a former document open (a slow reader) never sees its bytes change: that
   * file is not reused while open. Checked against a broken variant ({@code
   * OpenFileCheck.openNowhereElse} always true): the reader then read revision 7's bytes.
   */
  @Test
  void aReaderOfAFormerDocumentNeverSeesItChange() throws Exception {
    try (DocumentStore<ObjectNode> store = open(new FaultyFiles())) {
      create(store);
      store.update(SpareFileTest::increment);
      byte[] revision2 = Files.readAllBytes(file());
      try (FileChannel reader = FileChannel.open(file(), StandardOpenOption.READ)) {
        for (int i = 0; i < 8; i++) {
          store.update(SpareFileTest::increment);
        }
        ByteBuffer buffer = ByteBuffer.allocate(revision2.length + 64);
        while (reader.read(buffer) > 0) {
          // to the end
        }
        assertArrayEquals(revision2, java.util.Arrays.copyOf(buffer.array(), buffer.position()));
      }
      assertEquals(10, store.read().revision());
      assertTrue(store.verify().ok(), store.verify().toString());
    }
  }

  /**
   * A hard link someone made to a former document keeps its content: a file with another name is
   * not reused. Checked against a broken variant (the link count not checked): the link then held
   * revision 7.
   */
  @Test
  void aHardLinkToAFormerDocumentKeepsItsContent() throws Exception {
    Path keep = dir.resolve("kept-revision-2.yaml");
    try (DocumentStore<ObjectNode> store = open(new FaultyFiles())) {
      create(store);
      store.update(SpareFileTest::increment);
      byte[] revision2 = Files.readAllBytes(file());
      Files.createLink(keep, file());
      for (int i = 0; i < 8; i++) {
        store.update(SpareFileTest::increment);
      }
      assertArrayEquals(revision2, Files.readAllBytes(keep));
      assertEquals(10, store.read().revision());
    }
  }

  /**
   * Spares are no fault: verify() does not report them. recover() removes every spare (of writers
   * that died, or live ones, which then make a new temp file), and so does the first commit of a
   * store (opening one changes nothing); a name that only starts like a spare's is left alone.
   */
  @Test
  void sparesAreNotReportedAndAreRemovedByRecoverAndTheFirstCommit() throws Exception {
    Path dead = dir.resolve(".state.yaml.spare-0123456789abcdef");
    Path notASpare = dir.resolve(".state.yaml.spare-notes");
    Files.writeString(notASpare, "mine");
    try (DocumentStore<ObjectNode> store = open(new FaultyFiles())) {
      create(store);
      for (int i = 0; i < 5; i++) {
        store.update(SpareFileTest::increment);
      }
      Files.writeString(dead, "left by a killed writer");
      assertEquals(2, spares().size());
      assertTrue(store.verify().ok(), store.verify().toString());

      RecoveryReport report = store.recover();
      assertTrue(report.clean(), report.toString());
      assertEquals(List.of(), report.repaired(), "spares are not findings");
      assertEquals(List.of(), spares(), "recover() removed them");
      store.update(SpareFileTest::increment); // the writer's spare is gone: a new temp file
      assertEquals(7, store.read().revision());
      store.update(SpareFileTest::increment);
      assertEquals(1, spares().size());
    }
    Files.writeString(dead, "left by a killed writer");
    try (DocumentStore<ObjectNode> store = open(new FaultyFiles())) {
      assertEquals(List.of(dead), spares(), "opening a store removes nothing");
      assertEquals(8, store.read().revision());
      store.update(SpareFileTest::increment);
      assertFalse(spares().contains(dead), "the first commit removes spares");
    }
    assertEquals("mine", Files.readString(notASpare));
  }
}
