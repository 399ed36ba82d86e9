package dev.lockstep.fsm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;

/**
 * Entity data and payloads as JSON text, for stores that keep text.
 *
 * <p>What is written can be read back: {@link #write} refuses a value over the limits of {@link
 * JsonValues} (Jackson's default read limits, which any reader of the file applies), with an {@link
 * IllegalArgumentException} naming what and where. The reader here is laxer than those limits on
 * lengths (not on depth), so that rows written before the writer checked them — when one long
 * number could make a whole store unreadable — read again.
 */
final class JsonCodec {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxStringLength(Integer.MAX_VALUE)
                          .maxNameLength(Integer.MAX_VALUE)
                          .maxNumberLength(Integer.MAX_VALUE)
                          .maxNestingDepth(JsonValues.MAX_DEPTH)
                          .build())
                  .streamWriteConstraints(
                      StreamWriteConstraints.builder()
                          .maxNestingDepth(JsonValues.MAX_DEPTH)
                          .build())
                  .build())
          .build();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private JsonCodec() {}

  /**
   * Writes {@code map} as JSON.
   *
   * @param what names the map in errors, such as {@code "data of entity 'e1'"}
   * @throws IllegalArgumentException when it holds a value JSON cannot carry or that is over the
   *     limits of stored JSON (see {@link JsonValues#unstorable})
   */
  static String write(Map<String, Object> map, String what) {
    String problem = JsonValues.unstorable(map, what);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    try {
      return MAPPER.writeValueAsString(map);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          what + " is not JSON-compatible: " + e.getOriginalMessage(), e);
    }
  }

  /** Writes {@code value} (strings, lists, maps, numbers) as JSON, for the store's own queries. */
  static String writeValue(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON-compatible: " + e.getOriginalMessage(), e);
    }
  }

  static Map<String, Object> read(String json) {
    if (json == null || json.equals("{}")) {
      return JsonValues.freeze(null);
    }
    try {
      return JsonValues.adopt(MAPPER.readValue(json, MAP));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is malformed: " + e.getOriginalMessage(), e);
    }
  }
}
