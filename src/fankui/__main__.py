from fankui.cli import main

main()
