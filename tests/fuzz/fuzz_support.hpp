#pragma once
// Shared by the libFuzzer targets (tests/fuzz/*_fuzz.cpp; scripts/fuzz runs them).
//
// A parser may reject its input only with rtprov::Error of a user-facing kind (BadInput, Device,
// Verification, Usage): that is the message a user sees. Anything else is a finding and aborts
// the run so that libFuzzer saves the input: Error(Internal) (a bug by definition), any other
// exception escaping (std::out_of_range, YAML::Exception, bad_alloc ...), and every memory or
// undefined-behaviour error the sanitizers catch.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "rtprov/util/bytes.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::fuzz {

inline ByteView bytes_of(const std::uint8_t* data, std::size_t size) {
    return {data, size};
}

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

inline std::string_view text_of(ByteView in) {
    return text_of(in.data(), in.size());
}

// Runs `parse`, accepting a rejection with a user-facing error.
template <class F>
void expect_parse_or_reject(F&& parse) {
    try {
        parse();
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Internal) {
            std::fprintf(stderr, "internal error escaped a parser: %s\n", e.what());
            std::abort();
        }
    }
}

// For a target that feeds several parsers: the input's first byte picks one of `parsers` (modulo
// their number, so every byte value is a valid choice and saved findings keep their parser), the
// rest is that parser's input, run as expect_parse_or_reject runs it. Each parser takes a ByteView.
template <class... Parsers>
void parse_with_one_of(const std::uint8_t* data, std::size_t size, Parsers&&... parsers) {
    if (size == 0)
        return;
    const std::size_t which = data[0] % sizeof...(Parsers);
    const ByteView in = bytes_of(data + 1, size - 1);
    expect_parse_or_reject([&] {
        std::size_t index = 0;
        ((index++ == which ? (void)parsers(in) : (void)0), ...);
    });
}

// Aborts with `what` when `ok` is false (an invariant of a successful parse broke).
inline void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

}  // namespace rtprov::fuzz
