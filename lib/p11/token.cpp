// Token keys and certificates: find, sign, generate, store (plain PKCS#11 over a session).

#include "rtprov/p11/token.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"
#include "session.hpp"

namespace rtprov::p11 {

using detail::check;
using detail::Session;
using detail::Uri;

namespace {

// DigestInfo prefix of SHA-256 (RFC 8017 section 9.2, note 1).
constexpr std::uint8_t kSha256DigestInfo[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                              0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                              0x01, 0x05, 0x00, 0x04, 0x20};

void der_length(Bytes& out, std::size_t n) {
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 0x100) {
        out.insert(out.end(), {0x81, static_cast<std::uint8_t>(n)});
    } else {
        out.insert(out.end(),
                   {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
    }
}

// A big-endian unsigned number as a DER INTEGER.
Bytes der_integer(ByteView value) {
    std::size_t skip = 0;
    while (skip + 1 < value.size() && value[skip] == 0)
        ++skip;
    Bytes body(value.begin() + static_cast<std::ptrdiff_t>(skip), value.end());
    if (body.empty() || (body[0] & 0x80) != 0)
        body.insert(body.begin(), 0);
    Bytes out{0x02};
    der_length(out, body.size());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

// CKM_ECDSA's r || s as CMS carries it: SEQUENCE { INTEGER r, INTEGER s }.
Bytes ecdsa_der(ByteView raw) {
    const std::size_t half = raw.size() / 2;
    const Bytes r = der_integer(raw.subspan(0, half));
    const Bytes s = der_integer(raw.subspan(half));
    Bytes out{0x30};
    der_length(out, r.size() + s.size());
    out.insert(out.end(), r.begin(), r.end());
    out.insert(out.end(), s.begin(), s.end());
    return out;
}

CK_OBJECT_HANDLE the_one(const std::vector<CK_OBJECT_HANDLE>& found, Session& s,
                         CK_OBJECT_CLASS cls, const Uri& uri, std::string_view what) {
    if (found.size() == 1)
        return found.front();
    if (found.empty()) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: no {} with that label/id on token '{}'; its {}s: {}",
                                uri.shown(), what, s.token(), what, s.list(cls)));
    }
    throw Error(ErrorCode::BadInput,
                fmt::format("{}: {} {}s match on token '{}' ({}): add object= or id= to name one",
                            uri.shown(), found.size(), what, s.token(), s.list(cls)));
}

bool offers(const std::vector<CK_MECHANISM_TYPE>& list, CK_MECHANISM_TYPE m) {
    return std::find(list.begin(), list.end(), m) != list.end();
}

Bytes sign_with(Session& s, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mechanism, ByteView input,
                const std::string& name) {
    CK_MECHANISM m{mechanism, nullptr, 0};
    Bytes data(input.begin(), input.end());
    const std::lock_guard guard(s.lock());
    check(s.fl()->C_SignInit(s.handle(), &m, key), name + ": sign");
    CK_ULONG n = 0;
    check(s.fl()->C_Sign(s.handle(), data.data(), data.size(), nullptr, &n), name + ": sign");
    Bytes sig(n);
    check(s.fl()->C_Sign(s.handle(), data.data(), data.size(), sig.data(), &n), name + ": sign");
    sig.resize(n);
    return sig;
}

PublicValues public_values_of(Session& s, CK_OBJECT_HANDLE key, const std::string& name) {
    PublicValues v;
    Bytes type;
    if (!s.attribute(key, CKA_KEY_TYPE, type) || type.size() != sizeof(CK_KEY_TYPE))
        throw Error(ErrorCode::Device, name + ": the token does not give the key's type");
    CK_KEY_TYPE kt = 0;
    std::copy(type.begin(), type.end(), reinterpret_cast<std::uint8_t*>(&kt));
    Bytes id;
    s.attribute(key, CKA_ID, id);
    // The public object with the same id, for what the private object does not show.
    const auto pub = s.find_by_id(CKO_PUBLIC_KEY, id);
    const auto read = [&](CK_ATTRIBUTE_TYPE a, Bytes& out) {
        if (s.attribute(key, a, out) && !out.empty())
            return true;
        return !pub.empty() && s.attribute(pub.front(), a, out) && !out.empty();
    };
    if (kt == CKK_RSA) {
        v.kind = KeyKind::Rsa;
        if (!read(CKA_MODULUS, v.modulus) || !read(CKA_PUBLIC_EXPONENT, v.exponent))
            throw Error(ErrorCode::Device, name + ": the token does not give the RSA public key");
    } else if (kt == CKK_EC) {
        v.kind = KeyKind::Ec;
        if (!read(CKA_EC_PARAMS, v.ec_params) || !read(CKA_EC_POINT, v.ec_point)) {
            throw Error(ErrorCode::Device,
                        name +
                            ": the token does not give the EC public key (no public key "
                            "object with the private key's id)");
        }
    } else {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: key type 0x{:X} is neither RSA nor EC", name, kt));
    }
    return v;
}

// The token's session for a URI that names a token (object parts ignored).
std::shared_ptr<Session> token_session(std::string_view token_uri, std::unique_ptr<Uri>& uri) {
    uri = std::make_unique<Uri>(token_uri);
    return Session::open(*uri);
}

}  // namespace

struct TokenKey::Impl {
    std::shared_ptr<Session> session;
    CK_OBJECT_HANDLE key = 0;
    PublicValues values;
    std::string name;
};

TokenKey::TokenKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TokenKey::TokenKey(TokenKey&&) noexcept = default;
TokenKey& TokenKey::operator=(TokenKey&&) noexcept = default;
TokenKey::~TokenKey() = default;

TokenKey TokenKey::open(std::string_view text) {
    const Uri uri(text);
    auto impl = std::make_unique<Impl>();
    impl->name = uri.shown();
    impl->session = Session::open(uri);
    Session& s = *impl->session;
    impl->key = the_one(s.find(uri, CKO_PRIVATE_KEY), s, CKO_PRIVATE_KEY, uri, "private key");
    impl->values = public_values_of(s, impl->key, impl->name);
    return TokenKey(std::move(impl));
}

const PublicValues& TokenKey::public_values() const {
    return impl_->values;
}

const std::string& TokenKey::name() const {
    return impl_->name;
}

Bytes TokenKey::sign_sha256(ByteView data, ByteView digest) const {
    Session& s = *impl_->session;
    const auto offered = s.mechanisms();
    if (impl_->values.kind == KeyKind::Ec) {
        if (!offers(offered, CKM_ECDSA)) {
            throw Error(ErrorCode::Device,
                        fmt::format("{}: token '{}' offers no CKM_ECDSA for this EC key",
                                    impl_->name, s.token()));
        }
        return ecdsa_der(sign_with(s, impl_->key, CKM_ECDSA, digest, impl_->name));
    }
    if (offers(offered, CKM_SHA256_RSA_PKCS))
        return sign_with(s, impl_->key, CKM_SHA256_RSA_PKCS, data, impl_->name);
    if (offers(offered, CKM_RSA_PKCS)) {  // hash on the host, the token pads and signs
        Bytes info(std::begin(kSha256DigestInfo), std::end(kSha256DigestInfo));
        info.insert(info.end(), digest.begin(), digest.end());
        return sign_with(s, impl_->key, CKM_RSA_PKCS, info, impl_->name);
    }
    throw Error(ErrorCode::Device,
                fmt::format("{}: token '{}' offers neither CKM_SHA256_RSA_PKCS nor CKM_RSA_PKCS "
                            "(tried both) for RSA PKCS#1 v1.5 signatures",
                            impl_->name, s.token()));
}

Bytes read_certificate(std::string_view text) {
    const Uri uri(text);
    const auto session = Session::open(uri);
    Session& s = *session;
    const CK_OBJECT_HANDLE cert =
        the_one(s.find(uri, CKO_CERTIFICATE), s, CKO_CERTIFICATE, uri, "certificate");
    Bytes der;
    if (!s.attribute(cert, CKA_VALUE, der) || der.empty())
        throw Error(ErrorCode::Device, uri.shown() + ": the certificate object has no value");
    return der;
}

GeneratedKey generate_rsa_key(std::string_view token_uri, const std::string& label, ByteView id,
                              unsigned bits) {
    std::unique_ptr<Uri> uri;
    const auto session = token_session(token_uri, uri);
    Session& s = *session;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG modulus_bits = bits;
    std::uint8_t exponent[] = {0x01, 0x00, 0x01};
    std::string label_copy = label;
    Bytes id_copy(id.begin(), id.end());
    CK_ATTRIBUTE pub[] = {
        {CKA_TOKEN, &yes, sizeof yes},
        {CKA_VERIFY, &yes, sizeof yes},
        {CKA_MODULUS_BITS, &modulus_bits, sizeof modulus_bits},
        {CKA_PUBLIC_EXPONENT, exponent, sizeof exponent},
        {CKA_LABEL, label_copy.data(), label_copy.size()},
        {CKA_ID, id_copy.data(), id_copy.size()},
    };
    CK_ATTRIBUTE priv[] = {
        {CKA_TOKEN, &yes, sizeof yes},
        {CKA_PRIVATE, &yes, sizeof yes},
        {CKA_SENSITIVE, &yes, sizeof yes},
        {CKA_EXTRACTABLE, &no, sizeof no},
        {CKA_SIGN, &yes, sizeof yes},
        {CKA_LABEL, label_copy.data(), label_copy.size()},
        {CKA_ID, id_copy.data(), id_copy.size()},
    };
    CK_MECHANISM m{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
    CK_OBJECT_HANDLE pub_handle = 0, priv_handle = 0;
    {
        const std::lock_guard guard(s.lock());
        check(s.fl()->C_GenerateKeyPair(s.handle(), &m, pub, std::size(pub), priv, std::size(priv),
                                        &pub_handle, &priv_handle),
              fmt::format("token '{}': generate RSA-{} key '{}'", s.token(), bits, label));
    }
    // The key's URI: the token's, naming the object, without a PIN.
    P11KitUri* named = uri->get();
    p11_kit_uri_clear_attributes(named);
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE attrs[] = {{CKA_LABEL, label_copy.data(), label_copy.size()},
                            {CKA_ID, id_copy.data(), id_copy.size()},
                            {CKA_CLASS, &cls, sizeof cls}};
    for (auto& a : attrs)
        p11_kit_uri_set_attribute(named, &a);
    p11_kit_uri_set_pin_value(named, nullptr);
    char* formatted = nullptr;
    if (p11_kit_uri_format(named, P11_KIT_URI_FOR_ANY, &formatted) != P11_KIT_URI_OK)
        throw Error(ErrorCode::Internal, "cannot format the URI of key " + label);
    std::string key_uri = formatted;
    std::free(formatted);
    return {key_uri, TokenKey::open(key_uri)};
}

void store_certificate(std::string_view token_uri, const std::string& label, ByteView id,
                       ByteView der, ByteView subject_der) {
    std::unique_ptr<Uri> uri;
    const auto session = token_session(token_uri, uri);
    Session& s = *session;
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    std::string label_copy = label;
    {
        CK_ATTRIBUTE find[] = {{CKA_CLASS, &cls, sizeof cls},
                               {CKA_LABEL, label_copy.data(), label_copy.size()}};
        const std::lock_guard guard(s.lock());
        std::vector<CK_OBJECT_HANDLE> old(16);
        CK_ULONG n = 0;
        if (s.fl()->C_FindObjectsInit(s.handle(), find, 2) == CKR_OK) {
            s.fl()->C_FindObjects(s.handle(), old.data(), old.size(), &n);
            s.fl()->C_FindObjectsFinal(s.handle());
        }
        for (CK_ULONG i = 0; i < n; ++i)
            s.fl()->C_DestroyObject(s.handle(), old[i]);
    }
    CK_BBOOL yes = CK_TRUE;
    CK_CERTIFICATE_TYPE type = CKC_X_509;
    Bytes id_copy(id.begin(), id.end()), value(der.begin(), der.end()),
        subject(subject_der.begin(), subject_der.end());
    CK_ATTRIBUTE tmpl[] = {
        {CKA_CLASS, &cls, sizeof cls},
        {CKA_CERTIFICATE_TYPE, &type, sizeof type},
        {CKA_TOKEN, &yes, sizeof yes},
        {CKA_LABEL, label_copy.data(), label_copy.size()},
        {CKA_ID, id_copy.data(), id_copy.size()},
        {CKA_SUBJECT, subject.data(), subject.size()},
        {CKA_VALUE, value.data(), value.size()},
    };
    CK_OBJECT_HANDLE handle = 0;
    const std::lock_guard guard(s.lock());
    check(s.fl()->C_CreateObject(s.handle(), tmpl, std::size(tmpl), &handle),
          fmt::format("token '{}': store certificate '{}'", s.token(), label));
}

KeyProtection key_protection(std::string_view text) {
    const Uri uri(text);
    const auto session = Session::open(uri);
    Session& s = *session;
    const CK_OBJECT_HANDLE key =
        the_one(s.find(uri, CKO_PRIVATE_KEY), s, CKO_PRIVATE_KEY, uri, "private key");
    KeyProtection p;
    Bytes v;
    if (s.attribute(key, CKA_EXTRACTABLE, v) && v.size() == 1)
        p.extractable = v[0] != 0;
    if (s.attribute(key, CKA_SENSITIVE, v) && v.size() == 1)
        p.sensitive = v[0] != 0;
    return p;
}

}  // namespace rtprov::p11
