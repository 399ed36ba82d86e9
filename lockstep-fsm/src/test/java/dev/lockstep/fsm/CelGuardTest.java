package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CelGuardTest {

  static boolean eval(String expression, Map<String, Object> data, Map<String, Object> payload) {
    return Guard.expression("g", expression)
        .test(new GuardContext("S", "E", data, payload))
        .toCompletableFuture()
        .join();
  }

  @Test
  void seesJsonShapedValues() {
    Map<String, Object> data = new HashMap<>();
    data.put("owner", null);
    data.put("tags", List.of("a", "b"));
    data.put("limits", Map.of("retries", 3, "ratio", 0.5f));
    assertTrue(eval("data.owner == null", data, Map.of()));
    assertTrue(eval("'b' in data.tags && size(data.tags) == 2", data, Map.of()));
    assertTrue(eval("data.limits.retries < 4 && data.limits.ratio == 0.5", data, Map.of()));
    assertTrue(eval("has(payload.reason) ? payload.reason != '' : true", data, Map.of()));
    assertFalse(eval("has(payload.reason) && payload.reason == 'x'", data, Map.of()));
  }

  @Test
  void oneGuardServesManyThreadsAtOnce() throws Exception {
    Guard guard = Guard.expression("g", "payload.n % 2 == 0 && data.enabled");
    List<Future<Boolean>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 2_000; i++) {
        int n = i;
        results.add(
            pool.submit(
                () ->
                    guard
                        .test(new GuardContext("S", "E", Map.of("enabled", true), Map.of("n", n)))
                        .toCompletableFuture()
                        .join()));
      }
    }
    for (int i = 0; i < results.size(); i++) {
      assertEquals(i % 2 == 0, results.get(i).get(), "n = " + i);
    }
  }
}
