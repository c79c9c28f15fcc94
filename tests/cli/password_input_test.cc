#include "cli/password_input.h"

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <sstream>
#include <streambuf>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PasswordLineTest, TrailingNewlineIsTrimmed) {
  std::istringstream in("S3cret-Pw!\nsecond line\n");
  auto pw = ReadPasswordLine(in);
  ASSERT_TRUE(pw.ok()) << pw.status();
  EXPECT_EQ(pw->Reveal(), "S3cret-Pw!");
}

TEST(PasswordLineTest, CrLfAndNoNewlineAtEnd) {
  std::istringstream crlf("pw with spaces \r\n");
  EXPECT_EQ(ReadPasswordLine(crlf)->Reveal(), "pw with spaces ");
  std::istringstream bare("abc");
  EXPECT_EQ(ReadPasswordLine(bare)->Reveal(), "abc");
}

TEST(PasswordLineTest, EmptyIsRejected) {
  std::istringstream empty_line("\n");
  EXPECT_EQ(ReadPasswordLine(empty_line).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::istringstream nothing("");
  EXPECT_FALSE(ReadPasswordLine(nothing).ok());
  std::istringstream cr_only("\r\n");
  EXPECT_FALSE(ReadPasswordLine(cr_only).ok());
}

TEST(PasswordFileTest, FirstLineOfTheFile) {
  std::string path = ::testing::TempDir() + "/pw.txt";
  std::ofstream(path) << "from-file-Pw1\n";
  auto pw = ReadPasswordFile(path);
  ASSERT_TRUE(pw.ok()) << pw.status();
  EXPECT_EQ(pw->Reveal(), "from-file-Pw1");
}

TEST(PasswordFileTest, MissingOrEmptyFile) {
  EXPECT_EQ(ReadPasswordFile("/nonexistent/pw").status().code(),
            absl::StatusCode::kNotFound);
  std::string path = ::testing::TempDir() + "/empty-pw.txt";
  std::ofstream(path) << "";
  auto pw = ReadPasswordFile(path);
  ASSERT_FALSE(pw.ok());
  EXPECT_THAT(std::string(pw.status().message()), HasSubstr(path));
}

TEST(PromptTest, NotATerminal) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::ostringstream out;
  EXPECT_EQ(PromptPassword(fds[0], out).status().code(),
            absl::StatusCode::kFailedPrecondition);
  close(fds[0]);
  close(fds[1]);
}

// A prompt stream that "types" the next answer into the pseudo-terminal each
// time a prompt is flushed, i.e. only once echo is already off.
class TypingBuf : public std::stringbuf {
 public:
  TypingBuf(int master, std::deque<std::string> answers)
      : master_(master), answers_(std::move(answers)) {}

 protected:
  int sync() override {
    if (answers_.empty()) return 0;
    std::string a = answers_.front() + "\n";
    answers_.pop_front();
    return write(master_, a.data(), a.size()) == static_cast<ssize_t>(a.size())
               ? 0
               : -1;
  }

 private:
  int master_;
  std::deque<std::string> answers_;
};

struct Pty {
  Pty() { EXPECT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0); }
  ~Pty() {
    close(master);
    close(slave);
  }
  std::string DrainMaster() {
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    std::string seen;
    char buf[256];
    for (ssize_t n; (n = read(master, buf, sizeof(buf))) > 0;)
      seen.append(buf, n);
    return seen;
  }
  int master = -1;
  int slave = -1;
};

TEST(PromptTest, AskedTwiceWithEchoOffThenRestored) {
  Pty pty;
  TypingBuf typing(pty.master, {"Typed-Pw-42", "Typed-Pw-42"});
  std::ostream prompts(&typing);
  auto pw = PromptPassword(pty.slave, prompts);
  ASSERT_TRUE(pw.ok()) << pw.status();
  EXPECT_EQ(pw->Reveal(), "Typed-Pw-42");
  EXPECT_THAT(typing.str(), HasSubstr("New password: "));
  EXPECT_THAT(typing.str(), HasSubstr("Repeat new password: "));
  EXPECT_THAT(pty.DrainMaster(), Not(HasSubstr("Typed-Pw")));  // never echoed
  termios after{};
  ASSERT_EQ(tcgetattr(pty.slave, &after), 0);
  EXPECT_TRUE(after.c_lflag & ECHO);
}

TEST(PromptTest, MismatchIsRejected) {
  Pty pty;
  TypingBuf typing(pty.master, {"first-Pw-1", "other-Pw-2"});
  std::ostream prompts(&typing);
  auto pw = PromptPassword(pty.slave, prompts);
  ASSERT_FALSE(pw.ok());
  EXPECT_THAT(std::string(pw.status().message()), HasSubstr("do not match"));
  EXPECT_THAT(std::string(pw.status().message()), Not(HasSubstr("Pw")));
}

}  // namespace
}  // namespace resetd::cli
