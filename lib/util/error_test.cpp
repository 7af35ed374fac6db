#include "rtprov/util/error.hpp"

#include <gtest/gtest.h>

namespace rtprov {
namespace {

TEST(Error, ContextFramesAreOutermostFirst) {
    try {
        with_context("reading app.elf", [] {
            with_context("segment 2",
                         []() -> int { throw Error(ErrorCode::BadInput, "file size too small"); });
        });
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "reading app.elf: segment 2: file size too small");
        EXPECT_EQ(e.message(), "file size too small");
        EXPECT_EQ(exit_code(e.code()), 2);
    }
}

TEST(Error, ExitCodesAreTheDocumentedOnes) {
    EXPECT_EQ(exit_code(ErrorCode::Usage), 1);
    EXPECT_EQ(exit_code(ErrorCode::BadInput), 2);
    EXPECT_EQ(exit_code(ErrorCode::Device), 3);
    EXPECT_EQ(exit_code(ErrorCode::Verification), 4);
}

}  // namespace
}  // namespace rtprov
