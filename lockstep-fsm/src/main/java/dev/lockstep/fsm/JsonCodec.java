package dev.lockstep.fsm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** Entity data and payloads as JSON text, for stores that keep text. */
final class JsonCodec {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private JsonCodec() {}

  static String write(Map<String, Object> map) {
    try {
      return MAPPER.writeValueAsString(map);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "data or payload is not JSON-compatible: " + e.getOriginalMessage(), e);
    }
  }

  static Map<String, Object> read(String json) {
    if (json == null || json.equals("{}")) {
      return Map.of();
    }
    try {
      return JsonValues.adopt(MAPPER.readValue(json, MAP));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is malformed: " + e.getOriginalMessage(), e);
    }
  }
}
