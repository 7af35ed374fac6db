#pragma once
// Internal to lib/p11: a parsed URI (p11-kit), a loaded module, and a logged-in session on the
// token a URI names, shared by every key of that token in this process (one login, one PIN).

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "rtprov/util/bytes.hpp"

namespace rtprov::p11::detail {

// A URI parsed by p11-kit; owns it.
class Uri {
  public:
    explicit Uri(std::string_view text);  // Error(Usage) naming what p11-kit refused
    ~Uri();
    Uri(const Uri&) = delete;
    Uri& operator=(const Uri&) = delete;

    P11KitUri* get() const { return uri_; }
    const std::string& shown() const { return shown_; }  // without the PIN

  private:
    P11KitUri* uri_ = nullptr;
    std::string shown_;
};

// A module loaded with p11-kit and initialized; finalized when the last user lets go.
struct Module {
    std::string path;
    CK_FUNCTION_LIST* fl = nullptr;
    ~Module();
};

class Session {
  public:
    // The session on the token `uri` names, logged in when the token needs it; shared with every
    // earlier open of the same token.
    static std::shared_ptr<Session> open(const Uri& uri);

    Session(std::shared_ptr<Module> module, CK_SLOT_ID slot, CK_SESSION_HANDLE handle,
            std::string token);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    CK_FUNCTION_LIST* fl() const { return module_->fl; }
    CK_SESSION_HANDLE handle() const { return handle_; }
    CK_SLOT_ID slot() const { return slot_; }
    const std::string& token() const { return token_; }  // its label, for messages
    std::mutex& lock() { return lock_; }

    // Objects of `cls` matching the URI's object/id attributes (all of that class without them).
    std::vector<CK_OBJECT_HANDLE> find(const Uri& uri, CK_OBJECT_CLASS cls);
    // Objects of `cls` whose CKA_ID is `id`.
    std::vector<CK_OBJECT_HANDLE> find_by_id(CK_OBJECT_CLASS cls, ByteView id);
    // "label (id 01ab)" for each object of `cls`, for "not found" messages.
    std::string list(CK_OBJECT_CLASS cls);
    // One attribute's value; nullopt-like empty + false when the token does not give it.
    bool attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, Bytes& value);
    // The mechanisms the token's slot offers.
    std::vector<CK_MECHANISM_TYPE> mechanisms();

  private:
    std::shared_ptr<Module> module_;
    CK_SLOT_ID slot_;
    CK_SESSION_HANDLE handle_;
    std::string token_;
    std::mutex lock_;
};

// Throws Error(code) "WHAT: PKCS#11 error NAME (0xRV)" when rv is not CKR_OK.
void check(CK_RV rv, std::string_view what);
// "CKR_PIN_INCORRECT" and the like.
std::string rv_name(CK_RV rv);
// A space-padded PKCS#11 text field as a string.
std::string padded(const unsigned char* text, std::size_t size);

}  // namespace rtprov::p11::detail
