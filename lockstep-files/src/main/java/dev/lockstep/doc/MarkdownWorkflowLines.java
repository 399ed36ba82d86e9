package dev.lockstep.doc;

import dev.lockstep.doc.InvalidDocumentException.Problem;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The first pass of the parser: bytes to lines. Decodes strict UTF-8, settles the line ending, and
 * groups blank lines with the non-blank line that follows them.
 *
 * <p>Accepted: {@code \n} or {@code \r\n} line endings (one kind per document, fixed by the first
 * line), with or without a final line ending, and blank lines (empty or only whitespace) anywhere.
 * Refused: bytes that are not UTF-8, a byte order mark, mixed line endings, a carriage return
 * anywhere but before {@code \n} in a {@code \r\n} document.
 */
final class MarkdownWorkflowLines {

  /** A non-blank line: its 1-based number, its text without line ending, the blank lines before. */
  record Line(int number, String text, List<String> blanksBefore) {}

  final List<Line> lines = new ArrayList<>();
  final List<String> trailingBlanks = new ArrayList<>();
  String lineEnding = "\n";
  boolean finalNewline;
  int lastLineNumber;

  /**
   * Splits {@code content}, adding what is wrong to {@code problems}.
   *
   * @return false when the content cannot be read as text at all (then nothing else is checked)
   */
  boolean split(byte[] content, List<Problem> problems) {
    String text = decode(content, problems);
    if (text == null) {
      return false;
    }
    if (text.startsWith("\uFEFF")) {
      problems.add(
          new Problem(
              1, "the file starts with a byte order mark (U+FEFF): save it as UTF-8 without one"));
      text = text.substring(1);
    }
    finalNewline = text.endsWith("\n");
    int firstNewline = text.indexOf('\n');
    lineEnding = firstNewline > 0 && text.charAt(firstNewline - 1) == '\r' ? "\r\n" : "\n";
    List<String> blanks = new ArrayList<>();
    int start = 0;
    int number = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      boolean terminated = end >= 0;
      String raw = terminated ? text.substring(start, end) : text.substring(start);
      number++;
      String line = checkEnding(raw, terminated, number, problems);
      if (line.isBlank()) {
        blanks.add(line);
      } else {
        lines.add(new Line(number, line, List.copyOf(blanks)));
        blanks.clear();
      }
      start = terminated ? end + 1 : text.length();
    }
    lastLineNumber = number;
    trailingBlanks.addAll(blanks);
    return true;
  }

  private String checkEnding(String raw, boolean terminated, int number, List<Problem> problems) {
    String line = raw;
    if (terminated && lineEnding.equals("\r\n")) {
      if (raw.endsWith("\r")) {
        line = raw.substring(0, raw.length() - 1);
      } else {
        problems.add(
            new Problem(
                number,
                "line ends with \\n but line 1 ends with \\r\\n: use one kind of line ending"));
      }
    } else if (terminated && raw.endsWith("\r")) {
      problems.add(
          new Problem(
              number,
              "line ends with \\r\\n but line 1 ends with \\n: use one kind of line ending"));
      line = raw.substring(0, raw.length() - 1);
    }
    if (line.indexOf('\r') >= 0) {
      problems.add(new Problem(number, "carriage return (\\r) that does not end a line"));
      line = line.replace('\r', ' ');
    }
    return line;
  }

  private static String decode(byte[] content, List<Problem> problems) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(content);
    CharBuffer out = CharBuffer.allocate(content.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      for (int i = 0; i < offset; i++) {
        if (content[i] == '\n') {
          line++;
        }
      }
      problems.add(
          new Problem(
              line,
              String.format(
                  "not UTF-8: byte 0x%02x at offset %d cannot be decoded",
                  content[offset] & 0xff, offset)));
      return null;
    }
    return out.flip().toString();
  }
}
