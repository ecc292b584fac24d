package dev.prescient.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prescient.api.testing.RepoFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a real API server (v1.24+) and kubectl users need of the CRDs beyond what the schema checker
 * tests: a description on every field (kubectl explain), only formats the API server knows, bounded
 * lists and strings where CEL rules iterate them, and the conventions (status subresource, short
 * names, cluster scope, conditions as map lists).
 */
class CrdStructureTest {

    static final Set<String> KNOWN_FORMATS = Set.of("int32", "int64", "float", "double", "byte", "date",
            "date-time", "password", "uuid", "hostname", "ipv4", "ipv6", "cidr", "mac", "uri", "email");

    static final java.util.regex.Pattern HAS_COMPARED = java.util.regex.Pattern.compile("has\\([^)]*\\)\\s*[!=]=\\s*has\\(");

    static List<Path> crdFiles() {
        return RepoFiles.yamlFiles(RepoFiles.root().resolve("crds"));
    }

    @ParameterizedTest
    @MethodSource("crdFiles")
    void followsTheApiConventions(Path file) {
        JsonNode crd = RepoFiles.documents(file).get(0);
        assertThat(crd.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
        assertThat(crd.path("spec").path("group").asText()).isEqualTo("storage.prescient.dev");
        assertThat(crd.path("spec").path("scope").asText()).isEqualTo("Cluster");
        assertThat(crd.path("spec").path("names").path("shortNames")).hasSize(1);
        JsonNode version = crd.path("spec").path("versions").get(0);
        assertThat(version.path("name").asText()).isEqualTo("v1alpha1");
        assertThat(version.path("subresources").has("status")).as("status subresource").isTrue();
        List<JsonNode> columns = new ArrayList<>();
        version.path("additionalPrinterColumns").forEach(columns::add);
        assertThat(columns).as("printer columns").hasSizeGreaterThanOrEqualTo(4);
        assertThat(columns.get(columns.size() - 1).path("name").asText()).as("Age comes last").isEqualTo("Age");

        JsonNode schema = version.path("schema").path("openAPIV3Schema");
        JsonNode conditions = schema.path("properties").path("status").path("properties").path("conditions");
        assertThat(conditions.path("x-kubernetes-list-type").asText()).isEqualTo("map");
        assertThat(conditions.path("x-kubernetes-list-map-keys").get(0).asText()).isEqualTo("type");

        List<String> problems = new ArrayList<>();
        walk(schema.path("properties").path("spec"), "spec", problems);
        walk(schema.path("properties").path("status"), "status", problems);
        assertThat(problems).as(file.getFileName().toString()).isEmpty();
    }

    private static void walk(JsonNode schema, String path, List<String> problems) {
        if (!path.equals("spec") && !path.equals("status") && !path.endsWith("[]")
                && schema.path("description").asText().isBlank()) {
            problems.add(path + ": no description (kubectl explain would show nothing)");
        }
        String format = schema.path("format").asText("");
        if (!format.isEmpty() && !KNOWN_FORMATS.contains(format)) {
            problems.add(path + ": unknown format " + format);
        }
        if (schema.has("default") && schema.path("x-kubernetes-validations").size() > 0
                && schema.path("type").asText().equals("object") && !schema.get("default").isObject()) {
            problems.add(path + ": object default is not an object");
        }
        // An API server validates a default against its schema's CEL rules when the CRD is created; a v1.25 server
        // does so before applying nested defaults, so a rule reading self.mode refused `default: {}` ("no such key").
        if (schema.path("default").isObject() && schema.has("properties")) {
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) schema.get("properties")::fields) {
                if (e.getValue().has("default") && !schema.get("default").has(e.getKey())) {
                    problems.add(path + ": its default leaves out " + e.getKey() + ", which has a default of its own");
                }
            }
        }
        for (JsonNode v : schema.path("x-kubernetes-validations")) {
            // A v1.25 API server estimates `has(a) == has(b)` (and !=) as unbounded and refuses the whole CRD
            // ("estimated rule cost exceeds budget by factor of more than 100x"); `has(a) ? ... : ...` says the same.
            if (HAS_COMPARED.matcher(v.path("rule").asText()).find()) {
                problems.add(path + ": rule compares two has() results, which a v1.25 API server refuses: " + v.path("rule").asText());
            }
        }
        if (schema.has("properties")) {
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) schema.get("properties")::fields) {
                walk(e.getValue(), path + "." + e.getKey(), problems);
            }
        }
        if (schema.has("items")) {
            walk(schema.get("items"), path + "[]", problems);
        }
    }
}
