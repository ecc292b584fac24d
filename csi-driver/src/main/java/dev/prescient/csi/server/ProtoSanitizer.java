package dev.prescient.csi.server;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import csi.v1.Csi;
import java.util.List;

/**
 * Renders a request for the log with every field marked {@code (csi.v1.csi_secret) = true}
 * replaced, recursively, so secrets never reach a log line.
 */
public final class ProtoSanitizer {
    private ProtoSanitizer() {
    }

    public static String toLogString(Object message) {
        if (!(message instanceof Message m)) {
            return String.valueOf(message);
        }
        return TextFormat.printer().emittingSingleLine(true).printToString(strip(m));
    }

    public static Message strip(Message message) {
        Message.Builder b = message.toBuilder();
        for (var e : message.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            if (isSecret(f)) {
                b.clearField(f);
                // Keep the keys visible (useful to debug a missing secret), never the values.
                if (f.isMapField()) {
                    for (Object entry : (List<?>) e.getValue()) {
                        Message me = (Message) entry;
                        FieldDescriptor key = me.getDescriptorForType().findFieldByName("key");
                        FieldDescriptor value = me.getDescriptorForType().findFieldByName("value");
                        b.addRepeatedField(f, me.toBuilder().setField(key, me.getField(key))
                                .setField(value, "***stripped***").build());
                    }
                }
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (f.isRepeated()) {
                    b.clearField(f);
                    for (Object v : (List<?>) e.getValue()) {
                        b.addRepeatedField(f, strip((Message) v));
                    }
                } else {
                    b.setField(f, strip((Message) e.getValue()));
                }
            }
        }
        return b.build();
    }

    private static boolean isSecret(FieldDescriptor f) {
        return f.getOptions().hasExtension(Csi.csiSecret) && f.getOptions().getExtension(Csi.csiSecret);
    }

    /** The volume (or snapshot) id a request is about, for the log line; "-" when none. */
    public static String subjectOf(Object message) {
        if (!(message instanceof Message m)) {
            return "-";
        }
        for (String name : new String[] {"volume_id", "source_volume_id", "snapshot_id", "name", "replica_id"}) {
            FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
            if (f != null && f.getJavaType() == FieldDescriptor.JavaType.STRING && !f.isRepeated()) {
                String v = (String) m.getField(f);
                if (!v.isEmpty()) {
                    return name + "=" + v;
                }
            }
        }
        return "-";
    }
}
