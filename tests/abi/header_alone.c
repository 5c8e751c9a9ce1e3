/* The public header, alone, in strict ISO C99: it must bring what it needs. */
#include <libiommufd.h>

int main(void)
{
	return iofd_backend_name(IOFD_BACKEND_AUTO) == NULL;
}
