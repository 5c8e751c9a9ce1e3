// The public header, alone, from C++: extern "C" and no C-only constructs.
#include <libiommufd.h>

int main()
{
	const char *v = iofd_version();
	return v == nullptr;
}
