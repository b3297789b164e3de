// RealSystem's reads of /proc (the parts that need no privileges and start nothing).
#include "init/runtime/system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

namespace ctinit {
namespace {

TEST(RealSystemProcessUids, AreTheFourUidsOfTheProcess) {
  boost::asio::io_context io;
  RealSystem system(io);
  EXPECT_THAT(system.ProcessUids(::getpid()), testing::Each(::getuid()));
  EXPECT_EQ(system.ProcessUids(::getpid()).size(), 4u);
}

TEST(RealSystemProcessUids, AreEmptyForNoProcess) {
  boost::asio::io_context io;
  RealSystem system(io);
  EXPECT_THAT(system.ProcessUids(0), testing::IsEmpty());
  EXPECT_THAT(system.ProcessUids(999999999), testing::IsEmpty());
}

}  // namespace
}  // namespace ctinit
