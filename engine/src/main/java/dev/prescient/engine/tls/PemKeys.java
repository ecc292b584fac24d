package dev.prescient.engine.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Private keys as the JDK and Netty take them: PKCS#8. Helm's {@code genSignedCert} and cert-manager's default
 * encoding write RSA keys as PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), which both refuse; such a key is wrapped into a
 * PKCS#8 PrivateKeyInfo (RFC 5208) here. The one copy of that wrapping: the engine's {@link TlsConfig} reads keys
 * through it, and the node agent and the operator (Netty) through {@link #pkcs8(Path)}. It lives in the engine, the
 * module every TLS user already depends on, because the engine must not depend on the api module.
 */
public final class PemKeys {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    /** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemKeys() {
    }

    /** The key in {@code file} as PKCS#8 PEM, ready for {@code SslContextBuilder.keyManager(InputStream, InputStream)}. */
    public static InputStream pkcs8(Path file) throws IOException {
        return new ByteArrayInputStream(pkcs8Pem(Files.readString(file, StandardCharsets.US_ASCII), file.toString())
                .getBytes(StandardCharsets.US_ASCII));
    }

    static String pkcs8Pem(String pem, String where) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8Der(pem, where))
                + "\n-----END PRIVATE KEY-----\n";
    }

    /**
     * The first private key in {@code pem} as PKCS#8 DER.
     *
     * @throws IllegalArgumentException no key, an encrypted key or another format, saying how to convert it
     */
    public static byte[] pkcs8Der(String pem, String where) {
        // The first key block: a file may hold its certificate before the key.
        Matcher m = PEM.matcher(pem);
        String label = null;
        String body = null;
        while (m.find()) {
            if (label == null || m.group(1).endsWith("PRIVATE KEY")) {
                label = m.group(1);
                body = m.group(2);
            }
            if (label.endsWith("PRIVATE KEY")) {
                break;
            }
        }
        if (label == null) {
            throw new IllegalArgumentException(where + " holds no PEM private key");
        }
        byte[] der = Base64.getMimeDecoder().decode(body);
        return switch (label) {
            case "PRIVATE KEY" -> der;
            case "RSA PRIVATE KEY" -> wrapRsa(der);
            case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(where
                    + " is an encrypted key; give it unencrypted (openssl pkcs8 -topk8 -nocrypt)");
            default -> throw new IllegalArgumentException(where + " holds a '" + label
                    + "' key; use PKCS#8 (BEGIN PRIVATE KEY) or PKCS#1 RSA: openssl pkcs8 -topk8 -nocrypt -in KEY");
        };
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, rsaEncryption, OCTET STRING pkcs1 }. */
    static byte[] wrapRsa(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(int n) {
        if (n < 0x80) {
            return new byte[] {(byte) n};
        }
        int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
        byte[] out = new byte[bytes + 1];
        out[0] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            out[bytes - i] = (byte) (n >>> (8 * i));
        }
        return out;
    }
}
