module github.com/starry-go/starry

go 1.26
