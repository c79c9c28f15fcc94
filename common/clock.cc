#include "common/clock.h"

namespace resetd {

Clock& RealClock() {
  static SystemClock* clock = new SystemClock();
  return *clock;
}

}  // namespace resetd
