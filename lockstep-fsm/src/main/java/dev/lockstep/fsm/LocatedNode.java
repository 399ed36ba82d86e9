package dev.lockstep.fsm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON/YAML tree whose every node remembers the line it started on. Jackson's own tree drops
 * locations, so {@link #read} builds this one from the streaming parser.
 */
sealed interface LocatedNode {

  /** The 1-based line the node starts on. */
  int line();

  /** A mapping; {@code keyLines} holds the line of each key. */
  record Mapping(Map<String, LocatedNode> entries, Map<String, Integer> keyLines, int line)
      implements LocatedNode {}

  /** A sequence. */
  record Sequence(List<LocatedNode> items, int line) implements LocatedNode {}

  /** A scalar; {@code text} is null for a null value. */
  record Scalar(String text, JsonToken token, int line) implements LocatedNode {}

  /** Reads the value at the parser's current token (already advanced to). */
  static LocatedNode read(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    int line = parser.currentTokenLocation().getLineNr();
    if (token == JsonToken.START_OBJECT) {
      Map<String, LocatedNode> entries = new LinkedHashMap<>();
      Map<String, Integer> keyLines = new LinkedHashMap<>();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        int keyLine = parser.currentTokenLocation().getLineNr();
        parser.nextToken();
        entries.put(key, read(parser));
        keyLines.put(key, keyLine);
      }
      return new Mapping(
          Collections.unmodifiableMap(entries), Collections.unmodifiableMap(keyLines), line);
    }
    if (token == JsonToken.START_ARRAY) {
      List<LocatedNode> items = new ArrayList<>();
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        items.add(read(parser));
      }
      return new Sequence(List.copyOf(items), line);
    }
    return new Scalar(token == JsonToken.VALUE_NULL ? null : parser.getText(), token, line);
  }
}
