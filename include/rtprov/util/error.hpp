#pragma once
// The one error type of rtprov: a code that maps to an exit status, a message, and a chain of
// context ("reading app.elf: segment 2: ...") added as the error travels up.

#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace rtprov {

// What kind of failure; each maps to one process exit code (exit_code()).
enum class ErrorCode {
    Usage,         // wrong command line or option combination           -> exit 1
    BadInput,      // malformed or unusable input file or value           -> exit 2
    Device,        // device or transport failure                         -> exit 3
    Verification,  // a check failed (hash, signature, readback)          -> exit 4
    Io,            // cannot read or write a file for reasons outside it  -> exit 5
    Internal,      // a bug in rtprov                                     -> exit 70
};

class Error : public std::exception {
  public:
    Error(ErrorCode code, std::string message);

    ErrorCode code() const noexcept { return code_; }
    // The innermost message, without context.
    const std::string& message() const noexcept { return message_; }
    // Context frames, outermost first.
    const std::vector<std::string>& context() const noexcept { return context_; }
    // "outer: inner: message".
    const char* what() const noexcept override { return full_.c_str(); }

    // Adds an outer context frame (e.g. "reading app.elf") and returns *this for rethrow.
    Error& with_context(std::string frame);

  private:
    void rebuild();

    ErrorCode code_;
    std::string message_;
    std::vector<std::string> context_;
    std::string full_;
};

// Process exit code for an error code (0 is success and never produced here).
int exit_code(ErrorCode code) noexcept;

// Name of an error code for JSON output ("usage", "bad-input", ...).
std::string_view error_code_name(ErrorCode code) noexcept;

// Runs fn(); if it throws rtprov::Error, adds `frame` as context and rethrows.
template <typename Fn>
decltype(auto) with_context(std::string_view frame, Fn&& fn) {
    try {
        return fn();
    } catch (Error& e) {
        e.with_context(std::string(frame));
        throw;
    }
}

}  // namespace rtprov
