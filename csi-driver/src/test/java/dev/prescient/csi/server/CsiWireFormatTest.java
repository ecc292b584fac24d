package dev.prescient.csi.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import csi.v1.Csi;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Our csi.proto against the CSI v1.9.0 specification's: {@code csi-v1.9.0-descriptor.txt} is
 * {@link #listing} of the descriptor protoc 36.2 made from the spec's csi.proto at tag v1.9.0
 * (how to regenerate it: csi-driver/README.md). Every service, method, message, field number,
 * type, label, oneof, enum value and the csi_secret/alpha marks must match; only the names in
 * {@link #RENAMED} differ (names are not on the wire).
 */
class CsiWireFormatTest {
    /** Our field name -> the spec's, where protoc's Java accessors would clash (and the map entry type named after it). */
    static final Map<String, String> RENAMED = Map.of("volume_mutable_parameters", "mutable_parameters",
            ".VolumeMutableParametersEntry", ".MutableParametersEntry");

    @Test
    void ourDescriptorIsTheSpecsOnTheWire() throws IOException {
        String expected;
        try (InputStream in = CsiWireFormatTest.class.getResourceAsStream("/csi-v1.9.0-descriptor.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> ours = listing(Csi.getDescriptor().toProto());
        assertThat(ours).hasSizeGreaterThan(300);
        assertThat(ours).containsExactlyElementsOf(expected.lines().toList());
    }

    @Test
    void fieldsAddedAfter11AreOnTheWireWhereTheSpecPutsThem() throws InvalidProtocolBufferException {
        // VolumeCondition is field 2 of NodeGetVolumeStatsResponse; abnormal=1, message=2.
        byte[] wire = Csi.NodeGetVolumeStatsResponse.newBuilder()
                .setVolumeCondition(Csi.VolumeCondition.newBuilder().setAbnormal(true).setMessage("x")).build()
                .toByteArray();
        assertThat(wire).containsExactly(0x12, 5, 0x08, 1, 0x12, 1, 'x');
        // VolumeExpansion.type is field 1 (missing from CSI 1.1.0's proto).
        byte[] exp = Csi.PluginCapability.newBuilder().setVolumeExpansion(Csi.PluginCapability.VolumeExpansion
                .newBuilder().setType(Csi.PluginCapability.VolumeExpansion.Type.OFFLINE)).build().toByteArray();
        assertThat(exp).containsExactly(0x12, 2, 0x08, 2);
        assertThat(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_MULTI_WRITER_VALUE).isEqualTo(7);
        // Renamed field keeps the spec's number: CreateVolumeRequest.mutable_parameters = 8.
        var parsed = Csi.CreateVolumeRequest.parseFrom(Csi.CreateVolumeRequest.newBuilder()
                .putVolumeMutableParameters("iops", "100").build().toByteArray());
        assertThat(parsed.getUnknownFields().asMap()).isEmpty();
        assertThat(Csi.CreateVolumeRequest.getDescriptor().findFieldByNumber(8).getJsonName())
                .isEqualTo("mutableParameters");
    }

    /** One line per service method, message field, oneof, enum value and option extension; sorted by declaration. */
    static List<String> listing(DescriptorProtos.FileDescriptorProto f) throws InvalidProtocolBufferException {
        List<String> out = new ArrayList<>();
        out.add("package " + f.getPackage() + " syntax " + f.getSyntax());
        for (var d : f.getDependencyList()) {
            out.add("import " + d);
        }
        for (var e : f.getExtensionList()) {
            out.add("extend " + e.getExtendee() + " " + e.getName() + " = " + e.getNumber() + " " + e.getType());
        }
        for (var s : f.getServiceList()) {
            out.add("service " + s.getName() + marks(s.getOptions().toByteString()));
            for (var m : s.getMethodList()) {
                out.add("  rpc " + s.getName() + "." + m.getName() + "(" + m.getInputType() + ") -> " + m.getOutputType()
                        + (m.getClientStreaming() || m.getServerStreaming() ? " streaming" : "")
                        + marks(m.getOptions().toByteString()));
            }
        }
        for (var m : f.getMessageTypeList()) {
            message("." + f.getPackage(), m, out);
        }
        for (var e : f.getEnumTypeList()) {
            enumeration("." + f.getPackage(), e, out);
        }
        return out.stream().map(line -> line.replace(".VolumeMutableParametersEntry",
                RENAMED.get(".VolumeMutableParametersEntry"))).toList();
    }

    private static void message(String scope, DescriptorProtos.DescriptorProto m, List<String> out)
            throws InvalidProtocolBufferException {
        String name = scope + "." + m.getName();
        out.add("message " + name + (m.getOptions().getMapEntry() ? " map_entry" : "")
                + marks(m.getOptions().toBuilder().clearMapEntry().build().toByteString()));
        for (var o : m.getOneofDeclList()) {
            out.add("  oneof " + o.getName());
        }
        for (var fd : m.getFieldList()) {
            String fieldName = RENAMED.getOrDefault(fd.getName(), fd.getName());
            out.add("  " + fd.getNumber() + " " + fieldName + " " + fd.getLabel() + " " + fd.getType()
                    + (fd.hasTypeName() ? " " + fd.getTypeName() : "")
                    + (fd.hasOneofIndex() && !fd.getProto3Optional() ? " in " + m.getOneofDecl(fd.getOneofIndex()).getName() : "")
                    + (fd.getProto3Optional() ? " optional" : "")
                    + marks(fd.getOptions().toByteString()));
        }
        for (var n : m.getNestedTypeList()) {
            message(name, n, out);
        }
        for (var e : m.getEnumTypeList()) {
            enumeration(name, e, out);
        }
    }

    private static void enumeration(String scope, DescriptorProtos.EnumDescriptorProto e, List<String> out)
            throws InvalidProtocolBufferException {
        out.add("enum " + scope + "." + e.getName() + marks(e.getOptions().toByteString()));
        for (var v : e.getValueList()) {
            out.add("  " + v.getName() + " = " + v.getNumber() + marks(v.getOptions().toByteString()));
        }
    }

    /** The spec's custom options (csi_secret 1059, alpha_* 1060) read raw, whatever registry parsed them. */
    private static String marks(com.google.protobuf.ByteString options) throws InvalidProtocolBufferException {
        UnknownFieldSet raw = UnknownFieldSet.parseFrom(options);
        StringBuilder b = new StringBuilder();
        for (var e : raw.asMap().entrySet()) {
            b.append(" [").append(e.getKey() == 1059 ? "csi_secret" : e.getKey() == 1060 ? "alpha" : "opt" + e.getKey())
                    .append('=').append(e.getValue().getVarintList()).append(']');
        }
        return b.toString();
    }
}
