"""python -m integrations.calendly_standin --port 8430 [--token calendly-demo-token]"""

from integrations.calendly_standin.server import main

main()
