package dev.lockstep.doc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A document's change log: one JSON object per line, each ending with a CRC32C of the line without
 * its checksum field, so a torn or garbled line is recognized.
 *
 * <pre>
 * {"revision":7,"time":"…","pid":42,"host":"h","owner":"","operation":"update",
 *  "patch":[…],"sha256":"…","crc32c":"1a2b3c4d"}
 * </pre>
 *
 * <p>Implementation notes: the log keeps one append channel open and remembers the end of the last
 * valid line it knows ({@link #end}) and the file's identity; under the document's lock, {@link
 * #refresh} reads only what other processes appended since (or everything, after compaction
 * replaced the file), so a commit never re-reads the whole log. Not thread-safe: the document's
 * lock serializes every use.
 */
final class ChangeLog implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String CRC_FIELD = ",\"crc32c\":\"";
  private static final int CRC_SUFFIX = CRC_FIELD.length() + 8 + 2;

  /** One valid line: its 1-based number, byte range, the change, and the patch as a tree. */
  record Line(long number, long start, long end, Change change, JsonNode patch) {}

  /** What a scan of log bytes found. */
  record Scan(List<Line> lines, List<Corrupt> corrupt, long validEnd, long tornBytes) {}

  /** A line that fails its checksum or does not parse, followed by valid lines. */
  record Corrupt(long line, String problem) {}

  private final Path path;
  private final DocumentFiles files;
  private DocumentFiles.AppendFile out;
  private Object fileKey;
  private long end;
  private long size = -1; // the file's size as of the last refresh or append; -1: not known
  private long lines;
  private Change last;

  ChangeLog(Path path, DocumentFiles files) {
    this.path = path;
    this.files = files;
  }

  Path path() {
    return path;
  }

  /** The last valid line known after the last {@link #refresh}, if any. */
  Optional<Change> last() {
    return Optional.ofNullable(last);
  }

  /**
   * Catches up with the file under the document's lock: reads what was appended since the last call
   * and, when {@code cutTornTail}, cuts off a torn last line.
   *
   * @return the number of torn bytes found at the end (cut off when asked)
   */
  long refresh(boolean cutTornTail) throws IOException {
    BasicFileAttributes attributes = attributes(path);
    Object key = attributes == null ? null : attributes.fileKey();
    size = -1;
    if (key == null) {
      closeQuietly();
      fileKey = null;
      end = 0;
      lines = 0;
      last = null;
      return 0;
    }
    // the file at the path is the one open (same key): its stat tells the size, no fstat needed
    long now = out == null || !key.equals(fileKey) ? -1 : attributes.size();
    if (!key.equals(fileKey) || out == null || now < end) {
      closeQuietly();
      out = files.openAppend(path);
      fileKey = key;
      end = 0;
      lines = 0;
      last = null;
      now = out.size();
    }
    if (now == end) {
      size = now;
      return 0;
    }
    byte[] added = files.readFrom(path, end);
    Scan scan = scan(added, end, lines);
    if (!scan.lines().isEmpty()) {
      last = scan.lines().get(scan.lines().size() - 1).change();
    }
    lines += scan.lines().size() + scan.corrupt().size();
    end = scan.validEnd();
    if (scan.tornBytes() > 0 && cutTornTail) {
      out.truncate(end);
      size = end;
    } else if (end + scan.tornBytes() == now) {
      size = now;
    }
    return scan.tornBytes();
  }

  /**
   * Appends {@code newLines} (each ending with a newline), without syncing them ({@link #sync}
   * does). On failure the log is cut back to where it was, so no partial line stays.
   *
   * @return the log's size before the append, to {@link #cutBack} to if the commit fails later
   */
  long append(List<byte[]> newLines, Change lastChange) throws IOException {
    if (out == null) {
      out = files.openAppend(path);
      fileKey = fileKey(path);
    }
    int total = 0;
    for (byte[] l : newLines) {
      total += l.length;
    }
    byte[] all = new byte[total];
    int at = 0;
    for (byte[] l : newLines) {
      System.arraycopy(l, 0, all, at, l.length);
      at += l.length;
    }
    long before = end;
    long position = size; // -1 whenever out was (re)opened since the last refresh
    size = -1; // unknown until the append succeeded
    try {
      if (position >= 0) {
        out.appendAt(position, all);
      } else {
        out.append(all);
      }
    } catch (IOException | RuntimeException e) {
      try {
        out.truncate(before);
      } catch (IOException | RuntimeException cut) {
        e.addSuppressed(cut);
      }
      throw e;
    }
    end = before + total;
    size = position >= 0 && position == before ? end : -1;
    lines += newLines.size();
    last = lastChange;
    return before;
  }

  /** Flushes what was appended to the disk ({@code fdatasync}). */
  void sync() throws IOException {
    out.sync();
  }

  /**
   * Cuts the log back to {@code size} (what {@link #append} returned) after a commit failed,
   * fsyncing the cut when {@code sync}; the caller then {@link #reset}s this view.
   */
  void cutBack(long size, boolean sync) throws IOException {
    out.truncate(size);
    if (sync) {
      out.sync();
    }
  }

  /** Reads and checks the whole log (an empty scan if it does not exist). */
  Scan readAll() throws IOException {
    byte[] all;
    try {
      all = files.read(path);
    } catch (NoSuchFileException missing) {
      return new Scan(List.of(), List.of(), 0, 0);
    }
    return scan(all, 0, 0);
  }

  /** Forgets the open channel, so the next refresh reopens and rereads the file. */
  void reset() {
    closeQuietly();
    fileKey = null;
    end = 0;
    lines = 0;
    last = null;
  }

  @Override
  public void close() {
    closeQuietly();
  }

  private void closeQuietly() {
    size = -1;
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // nothing was pending: every append is synced or was cut back
      }
      out = null;
    }
  }

  private static Object fileKey(Path path) throws IOException {
    BasicFileAttributes attributes = attributes(path);
    return attributes == null ? null : attributes.fileKey();
  }

  private static BasicFileAttributes attributes(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException missing) {
      return null;
    }
  }

  /**
   * Splits and checks {@code bytes}, which start at {@code offset} in the file, after {@code
   * linesBefore} lines. A last line that is unterminated or fails its check is torn; an invalid
   * line followed by valid ones is corrupt.
   */
  Scan scan(byte[] bytes, long offset, long linesBefore) {
    List<Line> valid = new ArrayList<>();
    List<Corrupt> corrupt = new ArrayList<>();
    long validEnd = offset;
    int start = 0;
    long number = linesBefore;
    List<Corrupt> pendingBad = new ArrayList<>();
    while (start < bytes.length) {
      int nl = indexOf(bytes, (byte) '\n', start);
      if (nl < 0) {
        break; // unterminated tail: torn
      }
      number++;
      String text = new String(bytes, start, nl - start, StandardCharsets.UTF_8);
      Optional<String> problem = check(text);
      if (problem.isEmpty()) {
        try {
          Line line = parse(text, number, offset + start, offset + nl + 1);
          corrupt.addAll(pendingBad);
          pendingBad.clear();
          valid.add(line);
          validEnd = offset + nl + 1;
        } catch (RuntimeException e) {
          problem = Optional.of(String.valueOf(e.getMessage()));
        }
      }
      if (problem.isPresent()) {
        pendingBad.add(new Corrupt(number, problem.get()));
      }
      start = nl + 1;
    }
    long torn = offset + bytes.length - validEnd;
    return new Scan(valid, corrupt, validEnd, torn);
  }

  /** The line for {@code change}, with its patch (or content) and checksum, ending in a newline. */
  static byte[] format(Change change) {
    // by hand, as Jackson would write the same object (compact, same escapes), without a tree
    String patch = change.patch().orElse(null);
    String content = change.content().orElse(null);
    StringBuilder sb =
        new StringBuilder(
            256 + (patch != null ? patch.length() : content == null ? 0 : content.length()));
    sb.append("{\"revision\":").append(change.revision()).append(",\"time\":");
    quote(sb, change.time().toString());
    sb.append(",\"pid\":").append(change.pid()).append(",\"host\":");
    quote(sb, change.host());
    sb.append(",\"owner\":");
    quote(sb, change.owner());
    sb.append(",\"operation\":");
    quote(sb, change.operation().wireName());
    if (patch != null) {
      sb.append(",\"patch\":").append(patch);
    } else {
      sb.append(",\"content\":");
      quote(sb, change.content().orElseThrow());
    }
    sb.append(",\"sha256\":");
    quote(sb, change.sha256());
    String crc = crc(sb.toString() + "}");
    sb.append(CRC_FIELD).append(crc).append("\"}\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    sb.append('"');
  }

  private static Optional<String> check(String text) {
    if (text.length() < CRC_SUFFIX + 2 || !text.endsWith("\"}")) {
      return Optional.of("no checksum (torn or garbled)");
    }
    int at = text.length() - CRC_SUFFIX;
    if (!text.startsWith(CRC_FIELD, at)) {
      return Optional.of("no checksum (torn or garbled)");
    }
    String stated = text.substring(at + CRC_FIELD.length(), text.length() - 2);
    String actual = crc(text.substring(0, at) + "}");
    return stated.equals(actual)
        ? Optional.empty()
        : Optional.of("checksum " + stated + " does not match the line (" + actual + ")");
  }

  private Line parse(String text, long number, long start, long endOffset) {
    JsonNode o;
    try {
      o = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode patch = o.get("patch");
    JsonNode content = o.get("content");
    Change change =
        new Change(
            required(o, "revision").asLong(),
            Instant.parse(required(o, "time").asText()),
            required(o, "pid").asLong(),
            required(o, "host").asText(),
            required(o, "owner").asText(),
            Change.Operation.fromWireName(required(o, "operation").asText()),
            patch == null ? Optional.empty() : Optional.of(patch.toString()),
            content == null ? Optional.empty() : Optional.of(content.asText()),
            required(o, "sha256").asText());
    if (patch == null && content == null) {
      throw new IllegalArgumentException("neither patch nor content");
    }
    return new Line(number, start, endOffset, change, patch);
  }

  private static JsonNode required(JsonNode o, String field) {
    return Objects.requireNonNull(o.get(field), () -> "missing field '" + field + "'");
  }

  private static String crc(String s) {
    CRC32C crc = new CRC32C();
    crc.update(s.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().toHexDigits((int) crc.getValue());
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
