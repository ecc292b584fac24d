package dev.prescient.engine.replication;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mutual TLS for the replication stream: this node's certificate and key, and the CA that signs
 * the peers. Both sides present a certificate; a server built from this config refuses clients
 * without one ({@code needClientAuth}). TLS 1.3 only.
 */
public final class TlsConfig {
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final char[] EPHEMERAL = "prescient".toCharArray();

    private final SSLContext context;

    private TlsConfig(SSLContext context) {
        this.context = context;
    }

    /**
     * From PEM files: a certificate chain, its unencrypted PKCS#8 private key ("BEGIN PRIVATE KEY",
     * what {@code openssl genpkey} writes) and one or more CA certificates trusted for peers.
     */
    public static TlsConfig fromPem(Path certChain, Path privateKey, Path trustedCa) throws IOException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            Collection<? extends Certificate> chain;
            try (InputStream is = Files.newInputStream(certChain)) {
                chain = cf.generateCertificates(is);
            }
            PrivateKey key = readPkcs8(Files.readString(privateKey, StandardCharsets.US_ASCII));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("node", key, EPHEMERAL, chain.toArray(new Certificate[0]));
            return new TlsConfig(context(ks, EPHEMERAL, trustStore(cf, trustedCa)));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load TLS material from " + certChain + ", " + privateKey, e);
        }
    }

    /** From a PKCS#12 key store holding this node's key entry, and a PEM file of trusted CAs. */
    public static TlsConfig fromPkcs12(Path keyStore, char[] password, Path trustedCa) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream is = Files.newInputStream(keyStore)) {
                ks.load(is, password);
            }
            return new TlsConfig(context(ks, password, trustStore(CertificateFactory.getInstance("X.509"), trustedCa)));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load TLS material from " + keyStore, e);
        }
    }

    /** A client-only config that presents no certificate: for tests proving such clients are refused. */
    public static TlsConfig trustOnly(Path trustedCa) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(CertificateFactory.getInstance("X.509"), trustedCa));
            ctx.init(null, tmf.getTrustManagers(), null);
            return new TlsConfig(ctx);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load trusted CAs from " + trustedCa, e);
        }
    }

    SSLServerSocket serverSocket() throws IOException {
        SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        p.setNeedClientAuth(true);
        s.setSSLParameters(p);
        return s;
    }

    /** Wraps a connected socket as the client side and completes the handshake. */
    SSLSocket clientSocket(Socket plain, String host, int port) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        s.setSSLParameters(p);
        s.setUseClientMode(true);
        s.startHandshake();
        return s;
    }

    private static SSLContext context(KeyStore ks, char[] password, KeyStore trust) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyStore trustStore(CertificateFactory cf, Path caPem) throws IOException, GeneralSecurityException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream is = Files.newInputStream(caPem)) {
            int i = 0;
            for (Certificate c : cf.generateCertificates(is)) {
                ts.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IOException("no certificate in " + caPem);
            }
        }
        return ts;
    }

    private static PrivateKey readPkcs8(String pem) throws GeneralSecurityException {
        Matcher m = PEM_KEY.matcher(pem);
        if (!m.find()) {
            throw new GeneralSecurityException("no unencrypted PKCS#8 'BEGIN PRIVATE KEY' block");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        List<GeneralSecurityException> failures = new ArrayList<>();
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                failures.add(e);
            }
        }
        GeneralSecurityException e = new GeneralSecurityException("unsupported private key algorithm");
        failures.forEach(e::addSuppressed);
        throw e;
    }
}
