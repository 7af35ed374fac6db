// URIs, modules and sessions: what every token operation starts with. The PIN is looked up here,
// once per token and process, and never kept in a message.

#include "session.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include "rtprov/p11/token.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::p11 {

namespace detail {

namespace {

std::mutex registry_lock;
std::map<std::string, std::weak_ptr<Module>>& modules() {
    static std::map<std::string, std::weak_ptr<Module>> m;
    return m;
}
// Sessions stay open (and logged in) for the life of the process: a build signs with two keys
// of one token, and `keys --pkcs11` uses one token for a dozen operations.
std::map<std::string, std::shared_ptr<Session>>& sessions() {
    static std::map<std::string, std::shared_ptr<Session>> s;
    return s;
}

std::string module_of(const Uri& uri) {
    if (const char* path = p11_kit_uri_get_module_path(uri.get()))
        return path;
    if (const char* name = p11_kit_uri_get_module_name(uri.get()))
        return name;  // p11-kit looks a bare name up in its module folder
    if (const char* env = std::getenv(kModuleEnv); env != nullptr && *env != '\0')
        return env;
    throw Error(ErrorCode::Usage,
                fmt::format("{}: no PKCS#11 module: add ?module-path=/path/to/module.so to the "
                            "URI or set {}",
                            uri.shown(), kModuleEnv));
}

std::shared_ptr<Module> load_module(const std::string& path) {
    const std::lock_guard guard(registry_lock);
    if (auto m = modules()[path].lock())
        return m;
    CK_FUNCTION_LIST* fl = p11_kit_module_load(path.c_str(), 0);
    if (fl == nullptr) {
        const char* why = p11_kit_message();
        throw Error(ErrorCode::Device, fmt::format("PKCS#11 module {}: cannot load it ({})", path,
                                                   why != nullptr ? why : "unknown reason"));
    }
    const CK_RV rv = p11_kit_module_initialize(fl);
    if (rv != CKR_OK) {
        p11_kit_module_release(fl);
        throw Error(ErrorCode::Device,
                    fmt::format("PKCS#11 module {}: C_Initialize failed: {}", path, rv_name(rv)));
    }
    auto m = std::make_shared<Module>();
    m->path = path;
    m->fl = fl;
    modules()[path] = m;
    return m;
}

// The first line of a pin-source file ("file:" or "file://" before the path allowed).
std::string pin_from_source(std::string source, const std::string& shown) {
    for (std::string_view prefix : {"file://", "file:"}) {
        if (source.starts_with(prefix)) {
            source.erase(0, prefix.size());
            break;
        }
    }
    try {
        std::string text = read_text_file(source, 4096);
        text.erase(std::min(text.find_first_of("\r\n"), text.size()));
        if (text.empty())
            throw Error(ErrorCode::BadInput, fmt::format("{}: the PIN file is empty", source));
        return text;
    } catch (Error& e) {
        e.with_context(fmt::format("{}: pin-source", shown));
        throw;
    }
}

// Asks on the terminal, without echo. nullopt when there is no terminal.
std::optional<std::string> prompt_pin(const std::string& token) {
    const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    termios saved{};
    const bool is_tty = ::tcgetattr(fd, &saved) == 0;
    if (is_tty) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    const std::string prompt = fmt::format("PIN of token '{}': ", token);
    [[maybe_unused]] const auto w = ::write(fd, prompt.data(), prompt.size());
    std::string pin;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r' && pin.size() < 256)
        pin += c;
    if (is_tty)
        ::tcsetattr(fd, TCSAFLUSH, &saved);
    [[maybe_unused]] const auto nl = ::write(fd, "\n", 1);
    ::close(fd);
    return pin;
}

std::string pin_for(const Uri& uri, const std::string& token) {
    if (const char* value = p11_kit_uri_get_pin_value(uri.get()))
        return value;
    if (const char* source = p11_kit_uri_get_pin_source(uri.get()))
        return pin_from_source(source, uri.shown());
    if (const char* env = std::getenv(kPinEnv); env != nullptr && *env != '\0')
        return env;
    if (::isatty(STDIN_FILENO) != 0) {
        if (auto pin = prompt_pin(token))
            return *pin;
    }
    throw Error(ErrorCode::Usage,
                fmt::format("{}: token '{}' needs a PIN: add pin-source=FILE to the URI, set {}, "
                            "or run on a terminal to be asked",
                            uri.shown(), token, kPinEnv));
}

void login(CK_FUNCTION_LIST* fl, CK_SESSION_HANDLE session, const Uri& uri,
           const std::string& token) {
    std::string pin = pin_for(uri, token);
    const CK_RV rv =
        fl->C_Login(session, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(pin.data()), pin.size());
    std::fill(pin.begin(), pin.end(), '\0');
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
        return;
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LEN_RANGE) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("token '{}': wrong PIN (not tried again: a token locks after a "
                                "few wrong PINs)",
                                token));
    }
    if (rv == CKR_PIN_LOCKED) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("token '{}': the PIN is locked (too many wrong PINs); the "
                                "token's security officer must unlock it",
                                token));
    }
    check(rv, fmt::format("token '{}': login", token));
}

}  // namespace

std::string rv_name(CK_RV rv) {
    static const std::pair<CK_RV, const char*> kNames[] = {
        {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
        {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED"},
        {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
        {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID"},
        {CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID"},
        {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE"},
        {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
        {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
        {CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT"},
        {CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED"},
        {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"},
        {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"},
        {CKR_PIN_LOCKED, "CKR_PIN_LOCKED"},
        {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
        {CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE"},
        {CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT"},
        {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
        {CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED"},
        {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
        {CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL"},
        {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"},
    };
    for (const auto& [code, name] : kNames)
        if (code == rv)
            return fmt::format("{} (0x{:X})", name, rv);
    return fmt::format("0x{:X}", rv);
}

void check(CK_RV rv, std::string_view what) {
    if (rv == CKR_OK)
        return;
    const bool device = rv == CKR_DEVICE_ERROR || rv == CKR_DEVICE_REMOVED ||
                        rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_GENERAL_ERROR;
    throw Error(device ? ErrorCode::Device : ErrorCode::BadInput,
                fmt::format("{}: PKCS#11 error {}", what, rv_name(rv)));
}

std::string padded(const unsigned char* text, std::size_t size) {
    std::string s(reinterpret_cast<const char*>(text), size);
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
}

Uri::Uri(std::string_view text) : uri_(p11_kit_uri_new()), shown_(uri_for_messages(text)) {
    const int rc = p11_kit_uri_parse(std::string(text).c_str(), P11_KIT_URI_FOR_ANY, uri_);
    if (rc != P11_KIT_URI_OK) {
        p11_kit_uri_free(uri_);
        uri_ = nullptr;
        throw Error(ErrorCode::Usage, fmt::format("{}: not a PKCS#11 URI (RFC 7512): {}", shown_,
                                                  p11_kit_uri_message(rc)));
    }
}

Uri::~Uri() {
    if (uri_ != nullptr)
        p11_kit_uri_free(uri_);
}

Module::~Module() {
    p11_kit_module_finalize(fl);
    p11_kit_module_release(fl);
}

Session::Session(std::shared_ptr<Module> module, CK_SLOT_ID slot, CK_SESSION_HANDLE handle,
                 std::string token)
    : module_(std::move(module)), slot_(slot), handle_(handle), token_(std::move(token)) {}

Session::~Session() {
    module_->fl->C_CloseSession(handle_);
}

std::shared_ptr<Session> Session::open(const Uri& uri) {
    const std::shared_ptr<Module> module = load_module(module_of(uri));
    CK_FUNCTION_LIST* fl = module->fl;
    CK_ULONG count = 0;
    check(fl->C_GetSlotList(CK_TRUE, nullptr, &count), module->path + ": slots");
    std::vector<CK_SLOT_ID> slots(count);
    check(fl->C_GetSlotList(CK_TRUE, slots.data(), &count), module->path + ": slots");
    slots.resize(count);
    std::string present;
    for (const CK_SLOT_ID slot : slots) {
        CK_TOKEN_INFO info{};
        if (fl->C_GetTokenInfo(slot, &info) != CKR_OK || (info.flags & CKF_TOKEN_INITIALIZED) == 0)
            continue;
        const std::string label = padded(info.label, sizeof info.label);
        present += fmt::format("{}'{}' (serial {})", present.empty() ? "" : ", ", label,
                               padded(info.serialNumber, sizeof info.serialNumber));
        if (p11_kit_uri_match_token_info(uri.get(), &info) != 1)
            continue;
        const std::string key = fmt::format("{}#{}", module->path, slot);
        {
            const std::lock_guard guard(registry_lock);
            if (auto it = sessions().find(key); it != sessions().end())
                return it->second;
        }
        CK_SESSION_HANDLE handle = 0;
        check(
            fl->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &handle),
            fmt::format("token '{}': open a session", label));
        auto session = std::make_shared<Session>(module, slot, handle, label);
        if ((info.flags & CKF_LOGIN_REQUIRED) != 0)
            login(fl, handle, uri, label);
        const std::lock_guard guard(registry_lock);
        sessions()[key] = session;
        return session;
    }
    throw Error(ErrorCode::Device,
                fmt::format("{}: no such token in {}; the tokens there: {}", uri.shown(),
                            module->path, present.empty() ? "none" : present));
}

std::vector<CK_OBJECT_HANDLE> Session::find(const Uri& uri, CK_OBJECT_CLASS cls) {
    std::vector<CK_ATTRIBUTE> tmpl;
    CK_ULONG n = 0;
    CK_ATTRIBUTE* attrs = p11_kit_uri_get_attributes(uri.get(), &n);
    for (CK_ULONG i = 0; i < n; ++i)
        if (attrs[i].type == CKA_LABEL || attrs[i].type == CKA_ID)
            tmpl.push_back(attrs[i]);
    tmpl.push_back({CKA_CLASS, &cls, sizeof cls});
    const std::lock_guard guard(lock_);
    check(fl()->C_FindObjectsInit(handle_, tmpl.data(), tmpl.size()), "find objects");
    std::vector<CK_OBJECT_HANDLE> out(64);
    CK_ULONG found = 0;
    const CK_RV rv = fl()->C_FindObjects(handle_, out.data(), out.size(), &found);
    fl()->C_FindObjectsFinal(handle_);
    check(rv, "find objects");
    out.resize(found);
    return out;
}

std::vector<CK_OBJECT_HANDLE> Session::find_by_id(CK_OBJECT_CLASS cls, ByteView id) {
    Bytes copy(id.begin(), id.end());
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, copy.data(), copy.size()}};
    const std::lock_guard guard(lock_);
    check(fl()->C_FindObjectsInit(handle_, tmpl, 2), "find objects");
    std::vector<CK_OBJECT_HANDLE> out(16);
    CK_ULONG found = 0;
    const CK_RV rv = fl()->C_FindObjects(handle_, out.data(), out.size(), &found);
    fl()->C_FindObjectsFinal(handle_);
    check(rv, "find objects");
    out.resize(found);
    return out;
}

bool Session::attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, Bytes& value) {
    const std::lock_guard guard(lock_);
    CK_ATTRIBUTE a{type, nullptr, 0};
    if (fl()->C_GetAttributeValue(handle_, object, &a, 1) != CKR_OK ||
        a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
        return false;
    value.resize(a.ulValueLen);
    a.pValue = value.data();
    if (fl()->C_GetAttributeValue(handle_, object, &a, 1) != CKR_OK)
        return false;
    value.resize(a.ulValueLen);
    return true;
}

std::string Session::list(CK_OBJECT_CLASS cls) {
    std::vector<CK_OBJECT_HANDLE> all;
    {
        CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}};
        const std::lock_guard guard(lock_);
        if (fl()->C_FindObjectsInit(handle_, tmpl, 1) == CKR_OK) {
            all.resize(64);
            CK_ULONG found = 0;
            if (fl()->C_FindObjects(handle_, all.data(), all.size(), &found) != CKR_OK)
                found = 0;
            fl()->C_FindObjectsFinal(handle_);
            all.resize(found);
        }
    }
    std::string out;
    for (const CK_OBJECT_HANDLE o : all) {
        Bytes label, id;
        attribute(o, CKA_LABEL, label);
        attribute(o, CKA_ID, id);
        std::string hex;
        for (const std::uint8_t b : id)
            hex += fmt::format("{:02x}", b);
        out += fmt::format("{}'{}' (id {})", out.empty() ? "" : ", ",
                           std::string(label.begin(), label.end()), hex.empty() ? "none" : hex);
    }
    return out.empty() ? "none" : out;
}

std::vector<CK_MECHANISM_TYPE> Session::mechanisms() {
    CK_ULONG n = 0;
    if (fl()->C_GetMechanismList(slot_, nullptr, &n) != CKR_OK)
        return {};
    std::vector<CK_MECHANISM_TYPE> out(n);
    if (fl()->C_GetMechanismList(slot_, out.data(), &n) != CKR_OK)
        return {};
    out.resize(n);
    return out;
}

}  // namespace detail

bool is_uri(std::string_view text) {
    return text.starts_with("pkcs11:");
}

std::string uri_for_messages(std::string_view uri) {
    std::string out(uri);
    for (std::size_t at = out.find("pin-value="); at != std::string::npos;
         at = out.find("pin-value=", at + 1)) {
        const std::size_t start = at + 10;
        const std::size_t end = std::min(out.find_first_of("&;", start), out.size());
        out.replace(start, end - start, "***");
    }
    return out;
}

bool uri_has_pin_value(std::string_view uri) {
    return uri.find("pin-value=") != std::string_view::npos;
}

}  // namespace rtprov::p11
