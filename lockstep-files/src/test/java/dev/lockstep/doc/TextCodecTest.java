package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A codec that is not a JSON tree (as the Markdown workflow codec is not): the change log holds the
 * full content of each revision, and history, at, restore and external edits work the same.
 */
class TextCodecTest {
  /** Plain text whose first line is {@code **Revision:** N}. */
  static final class RevisionedText implements DocumentCodec<String> {
    private static final String PREFIX = "**Revision:** ";

    @Override
    public String format() {
      return "text";
    }

    @Override
    public String decode(byte[] content, String source) {
      String text = new String(content, StandardCharsets.UTF_8);
      if (!text.startsWith(PREFIX) || !text.contains("\n")) {
        throw new InvalidDocumentException(
            source, List.of(new InvalidDocumentException.Problem(1, "missing **Revision:** line")));
      }
      return text;
    }

    @Override
    public byte[] encode(String value) {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public long revision(String value) {
      return Long.parseLong(value.substring(PREFIX.length(), value.indexOf('\n')).trim());
    }

    @Override
    public String withRevision(String value, long revision) {
      String body = value.startsWith(PREFIX) ? value.substring(value.indexOf('\n') + 1) : value;
      return PREFIX + revision + "\n" + body;
    }
  }

  @TempDir Path dir;

  @Test
  void theLogHoldsFullContent() throws Exception {
    Path file = dir.resolve("STATE.md");
    try (DocumentStore<String> store = DocumentStore.open(file, new RevisionedText())) {
      store.createIfAbsent("# Workflow: demo\n- [ ] design\n");
      store.update(s -> s.replace("- [ ] design", "- [x] design"));
      assertEquals("**Revision:** 2\n# Workflow: demo\n- [x] design\n", Files.readString(file));
      Files.writeString(file, "**Revision:** 2\n# Workflow: demo\n- [x] design\n- [ ] by hand\n");
      Versioned<String> v = store.update(s -> s + "- [ ] review\n");
      assertEquals(3, v.revision());
      assertTrue(v.value().contains("by hand"));
      List<Change> h = store.history();
      assertEquals(
          List.of(
              Change.Operation.CREATE,
              Change.Operation.UPDATE,
              Change.Operation.EXTERNAL_EDIT,
              Change.Operation.UPDATE),
          h.stream().map(Change::operation).toList());
      assertTrue(h.stream().allMatch(c -> c.content().isPresent() && c.patch().isEmpty()));
      assertEquals("**Revision:** 1\n# Workflow: demo\n- [ ] design\n", store.at(1).value());
      assertTrue(store.at(2).value().contains("by hand"), "the newest line of revision 2");
      assertEquals(4, store.restore(1).revision());
      assertEquals("**Revision:** 4\n# Workflow: demo\n- [ ] design\n", Files.readString(file));
      assertTrue(store.verify().ok());
    }
  }
}
