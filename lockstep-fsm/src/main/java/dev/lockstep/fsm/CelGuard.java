package dev.lockstep.fsm;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A guard written in CEL, compiled and type-checked once, evaluated against {@code data} and {@code
 * payload}.
 *
 * <p>Implementation notes: one {@link Cel} environment serves every guard (it and its programs are
 * immutable and thread-safe). CEL knows 64-bit integers and doubles only, so Java {@code Integer},
 * {@code Short}, {@code Byte} and {@code Float} values are widened before evaluation, recursively
 * through lists and maps, and Java {@code null} becomes CEL's {@code null}.
 */
final class CelGuard implements Guard {
  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          // has(), all(), exists(), exists_one(), map(), filter(): bounded by their list or map.
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("data", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("payload", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .setResultType(SimpleType.BOOL)
          .build();

  private final String name;
  private final String expression;
  private final CelRuntime.Program program;

  private CelGuard(String name, String expression, CelRuntime.Program program) {
    this.name = name;
    this.expression = expression;
    this.program = program;
  }

  /**
   * Compiles {@code expression}.
   *
   * @param line the file line the expression starts on, or -1
   * @throws DefinitionException listing every syntax and type error, with file lines
   */
  static CelGuard compile(String name, String expression, int line) {
    List<DefinitionError> errors = new ArrayList<>();
    CelGuard guard = compile(name, expression, line, errors);
    if (guard == null) {
      throw new DefinitionException("guard " + name, errors);
    }
    return guard;
  }

  /** Compiles {@code expression}, adding its errors to {@code errors}; null when it has any. */
  static CelGuard compile(String name, String expression, int line, List<DefinitionError> errors) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expression, "expression");
    String element = "guard " + name;
    CelValidationResult result = CEL.compile(expression);
    if (result.hasError()) {
      for (CelIssue issue : result.getErrors()) {
        int exprLine = issue.getSourceLocation().getLine();
        int fileLine = line > 0 ? line + Math.max(exprLine, 1) - 1 : -1;
        String where =
            exprLine > 0 ? " (at column " + (issue.getSourceLocation().getColumn() + 1) + ")" : "";
        errors.add(
            new DefinitionError(
                element, fileLine, "invalid expression: " + issue.getMessage() + where));
      }
      return null;
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      return new CelGuard(name, expression, CEL.createProgram(ast));
    } catch (CelValidationException | CelEvaluationException e) {
      errors.add(new DefinitionError(element, line, "invalid expression: " + e.getMessage()));
      return null;
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** Returns the CEL source text. */
  String expression() {
    return expression;
  }

  @Override
  public CompletionStage<Boolean> test(GuardContext context) {
    try {
      Map<String, Object> variables = new LinkedHashMap<>();
      variables.put("data", widen(context.data()));
      variables.put("payload", widen(context.payload()));
      Object result = program.eval(variables);
      if (result instanceof Boolean b) {
        return CompletableFuture.completedStage(b);
      }
      return CompletableFuture.failedStage(
          new IllegalStateException("guard " + name + " gave no boolean: " + result));
    } catch (CelEvaluationException e) {
      return CompletableFuture.failedStage(
          new IllegalStateException("guard " + name + " failed: " + e.getMessage(), e));
    } catch (RuntimeException e) {
      return CompletableFuture.failedStage(e);
    }
  }

  private static Object widen(Object value) {
    if (value == null) {
      return NullValue.NULL_VALUE;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, widen(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(v -> copy.add(widen(v)));
      return copy;
    }
    return value;
  }

  @Override
  public String toString() {
    return "Guard[" + name + ": " + expression + "]";
  }
}
