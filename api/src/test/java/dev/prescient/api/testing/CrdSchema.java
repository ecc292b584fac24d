package dev.prescient.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates objects against a CRD's openAPIV3Schema the way the API server does, in its order:
 * defaults are applied first, then the structural schema is checked (with a well-kept JSON Schema
 * validator; unknown fields are errors, as with {@code kubectl apply --validate=strict}), then the
 * {@code x-kubernetes-validations} CEL rules are evaluated by a real CEL implementation (cel-java),
 * transition rules ({@code oldSelf}) only on updates and only where the old value exists.
 */
public final class CrdSchema {

    private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

    private final String kind;
    private final JsonNode openApi;
    private final JsonSchema structural;

    private CrdSchema(JsonNode crd) {
        this.kind = crd.path("spec").path("names").path("kind").asText();
        this.openApi = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
        ObjectNode json = toJsonSchema(openApi);
        // apiVersion, kind and metadata are validated by the API server itself, not by the CRD schema.
        ObjectNode props = (ObjectNode) json.get("properties");
        props.putObject("apiVersion").put("type", "string");
        props.putObject("kind").put("type", "string");
        props.putObject("metadata").put("type", "object");
        this.structural = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(json);
    }

    public static CrdSchema fromFile(Path crdFile) {
        return new CrdSchema(RepoFiles.documents(crdFile).get(0));
    }

    /** Loads every CRD in crds/, by kind. */
    public static Map<String, CrdSchema> all() {
        Map<String, CrdSchema> byKind = new HashMap<>();
        for (Path f : RepoFiles.yamlFiles(RepoFiles.root().resolve("crds"))) {
            CrdSchema s = fromFile(f);
            byKind.put(s.kind, s);
        }
        return byKind;
    }

    public String kind() {
        return kind;
    }

    /** Violations for creating {@code object}; empty when it would be accepted. */
    public List<String> validateCreate(JsonNode object) {
        return validate(object, null);
    }

    /** Violations for updating {@code old} to {@code object}. */
    public List<String> validateUpdate(JsonNode old, JsonNode object) {
        return validate(object, old);
    }

    /** The object as the API server would store it: with schema defaults filled in. */
    public JsonNode withDefaults(JsonNode object) {
        JsonNode copy = object.deepCopy();
        applyDefaults(openApi, copy);
        return copy;
    }

    private List<String> validate(JsonNode object, JsonNode old) {
        JsonNode obj = withDefaults(object);
        JsonNode oldObj = old == null ? null : withDefaults(old);
        List<String> errors = new ArrayList<>();
        for (ValidationMessage m : structural.validate(obj)) {
            errors.add(m.getMessage());
        }
        checkRules(openApi, obj, oldObj, "", errors);
        return errors;
    }

    // --- defaulting ---

    private static void applyDefaults(JsonNode schema, JsonNode value) {
        if (value instanceof ObjectNode obj) {
            JsonNode props = schema.get("properties");
            if (props != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> p = it.next();
                    if (!obj.has(p.getKey()) && p.getValue().has("default")) {
                        obj.set(p.getKey(), p.getValue().get("default").deepCopy());
                    }
                    if (obj.has(p.getKey())) {
                        applyDefaults(p.getValue(), obj.get(p.getKey()));
                    }
                }
            }
            JsonNode additional = schema.get("additionalProperties");
            if (additional != null && additional.isObject()) {
                obj.forEach(v -> applyDefaults(additional, v));
            }
        } else if (value instanceof ArrayNode arr && schema.has("items")) {
            arr.forEach(v -> applyDefaults(schema.get("items"), v));
        }
    }

    // --- structural schema as JSON Schema ---

    private static ObjectNode toJsonSchema(JsonNode schema) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            if (k.startsWith("x-kubernetes-") || k.equals("default") || k.equals("description")) {
                continue;
            }
            switch (k) {
                case "properties" -> {
                    ObjectNode props = out.putObject("properties");
                    e.getValue().fields().forEachRemaining(p -> props.set(p.getKey(), toJsonSchema(p.getValue())));
                }
                case "items", "additionalProperties" -> out.set(k, e.getValue().isObject() ? toJsonSchema(e.getValue()) : e.getValue());
                default -> out.set(k, e.getValue());
            }
        }
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if ("object".equals(schema.path("type").asText()) && schema.has("properties")
                && !schema.has("additionalProperties") && !preserve) {
            out.put("additionalProperties", false);
        }
        return out;
    }

    // --- CEL rules ---

    private static void checkRules(JsonNode schema, JsonNode value, JsonNode old, String path, List<String> errors) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return;
        }
        for (JsonNode rule : schema.path("x-kubernetes-validations")) {
            String expr = rule.path("rule").asText();
            boolean transition = expr.contains("oldSelf");
            if (transition && old == null) {
                continue;
            }
            Map<String, Object> vars = new HashMap<>();
            vars.put("self", toCel(schema, value));
            if (transition) {
                vars.put("oldSelf", toCel(schema, old));
            }
            String where = path.isEmpty() ? "<root>" : path;
            try {
                CelAbstractSyntaxTree ast = CEL.compile(expr).getAst();
                Object result = RUNTIME.createProgram(ast).eval(vars);
                if (!Boolean.TRUE.equals(result)) {
                    String msg = rule.has("message") ? rule.get("message").asText() : "failed rule: " + expr;
                    errors.add(where + ": " + msg);
                }
            } catch (Exception e) {
                errors.add(where + ": error evaluating rule '" + expr + "': " + e.getMessage());
            }
        }
        JsonNode props = schema.get("properties");
        if (props != null && value.isObject()) {
            props.fields().forEachRemaining(p -> checkRules(p.getValue(), value.get(p.getKey()),
                    old == null ? null : old.get(p.getKey()), path + "." + p.getKey(), errors));
        }
        if (schema.has("items") && value.isArray()) {
            // List items do not correlate with old items (no map lists carry rules here).
            for (int i = 0; i < value.size(); i++) {
                checkRules(schema.get("items"), value.get(i), null, path + "[" + i + "]", errors);
            }
        }
    }

    /** Converts a value to CEL the way the API server does: guided by the schema's types. */
    private static Object toCel(JsonNode schema, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        String type = schema.path("type").asText();
        switch (type) {
            case "integer":
                return value.asLong();
            case "number":
                return value.asDouble();
            case "boolean":
                return value.asBoolean();
            case "string":
                return value.asText();
            case "array": {
                List<Object> list = new ArrayList<>();
                value.forEach(v -> list.add(toCel(schema.path("items"), v)));
                return list;
            }
            default: {
                Map<String, Object> map = new LinkedHashMap<>();
                JsonNode props = schema.get("properties");
                value.fields().forEachRemaining(e -> {
                    JsonNode s = props != null && props.has(e.getKey()) ? props.get(e.getKey())
                            : schema.path("additionalProperties");
                    Object v = toCel(s, e.getValue());
                    if (v != null) {
                        map.put(e.getKey(), v);
                    }
                });
                return map;
            }
        }
    }
}
