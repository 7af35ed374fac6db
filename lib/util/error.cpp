#include "rtprov/util/error.hpp"

#include <utility>

namespace rtprov {

Error::Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {
    rebuild();
}

Error& Error::with_context(std::string frame) {
    context_.insert(context_.begin(), std::move(frame));
    rebuild();
    return *this;
}

void Error::rebuild() {
    full_.clear();
    for (const auto& frame : context_) {
        full_ += frame;
        full_ += ": ";
    }
    full_ += message_;
}

int exit_code(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::Usage:
            return 1;
        case ErrorCode::BadInput:
            return 2;
        case ErrorCode::Device:
            return 3;
        case ErrorCode::Verification:
            return 4;
        case ErrorCode::Io:
            return 5;
        case ErrorCode::Internal:
            return 70;
    }
    return 70;
}

std::string_view error_code_name(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::Usage:
            return "usage";
        case ErrorCode::BadInput:
            return "bad-input";
        case ErrorCode::Device:
            return "device";
        case ErrorCode::Verification:
            return "verification";
        case ErrorCode::Io:
            return "io";
        case ErrorCode::Internal:
            return "internal";
    }
    return "internal";
}

}  // namespace rtprov
