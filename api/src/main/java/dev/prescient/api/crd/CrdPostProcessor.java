package dev.prescient.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Finishes what the fabric8 CRD generator leaves undone, so the CRDs follow the API conventions:
 * <ul>
 *   <li>printer columns in the order the class declares them (the generator sorts them by JSON path,
 *       which would put Age first in {@code kubectl get});</li>
 *   <li>{@code conditions} lists as map lists keyed by {@code type}, so server-side apply merges them;</li>
 *   <li>{@code format: date-time} on status timestamps (fields named {@code *Time}, {@code since}, {@code computedAt});</li>
 *   <li>object defaults made complete: {@code default: {}} becomes the object its fields' own defaults describe.
 *       An API server validates a default against the CEL rules of its schema when the CRD is created, and
 *       some versions do so before applying the nested defaults: a rule reading {@code self.mode} then fails
 *       on {@code {}} with "no such key" and the whole CRD is refused.</li>
 * </ul>
 * Pure function of the generated CRD and the resource class; used by the build's drift check.
 */
public final class CrdPostProcessor {

    private CrdPostProcessor() {
    }

    public static ObjectNode process(ObjectNode crd, Class<?> resourceClass) {
        ObjectNode out = crd.deepCopy();
        for (JsonNode version : out.path("spec").path("versions")) {
            orderPrinterColumns((ObjectNode) version, resourceClass);
            JsonNode schema = version.path("schema").path("openAPIV3Schema");
            if (schema.isObject()) {
                walk((ObjectNode) schema, null, false);
            }
        }
        return out;
    }

    private static void orderPrinterColumns(ObjectNode version, Class<?> resourceClass) {
        JsonNode columns = version.get("additionalPrinterColumns");
        if (!(columns instanceof ArrayNode array)) {
            return;
        }
        List<String> declared = new ArrayList<>();
        for (AdditionalPrinterColumn c : resourceClass.getAnnotationsByType(AdditionalPrinterColumn.class)) {
            declared.add(c.name());
        }
        List<JsonNode> sorted = new ArrayList<>();
        array.forEach(sorted::add);
        sorted.sort((a, b) -> Integer.compare(rank(declared, a), rank(declared, b)));
        array.removeAll();
        sorted.forEach(array::add);
    }

    private static int rank(List<String> declared, JsonNode column) {
        int i = declared.indexOf(column.path("name").asText());
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    /**
     * The object {@code value} with every field its schema defaults filled in, recursively, as the API server's
     * defaulting would make it. Fields without a default stay absent.
     */
    static ObjectNode completeDefault(ObjectNode value, JsonNode schema) {
        ObjectNode out = value.deepCopy();
        JsonNode properties = schema.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode field = e.getValue();
            JsonNode given = out.has(e.getKey()) ? out.get(e.getKey()) : field.get("default");
            if (given == null) {
                continue;
            }
            out.set(e.getKey(), given.isObject() && field.has("properties") ? completeDefault((ObjectNode) given, field) : given);
        }
        return out;
    }

    private static void walk(ObjectNode schema, String fieldName, boolean inStatus) {
        String type = schema.path("type").asText();
        if (schema.get("default") instanceof ObjectNode objectDefault && schema.has("properties")) {
            schema.set("default", completeDefault(objectDefault, schema));
        }
        if ("array".equals(type) && "conditions".equals(fieldName)
                && schema.path("items").path("properties").has("type")) {
            schema.put("x-kubernetes-list-type", "map");
            schema.putArray("x-kubernetes-list-map-keys").add("type");
        }
        if (inStatus && "string".equals(type) && fieldName != null && !schema.has("format")
                && (fieldName.endsWith("Time") || fieldName.equals("since") || fieldName.equals("computedAt"))) {
            schema.put("format", "date-time");
        }
        JsonNode properties = schema.get("properties");
        if (properties != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isObject()) {
                    walk((ObjectNode) e.getValue(), e.getKey(), inStatus || (fieldName == null && e.getKey().equals("status")));
                }
            }
        }
        JsonNode items = schema.get("items");
        if (items != null && items.isObject()) {
            walk((ObjectNode) items, null, inStatus);
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            walk((ObjectNode) additional, null, inStatus);
        }
    }
}
